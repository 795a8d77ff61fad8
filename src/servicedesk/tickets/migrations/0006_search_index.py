# Written by hand: the queue search's index, see tickets/search.py. Nothing in
# the models' state changes: FTS5 tables and expression indexes are outside what Django models.

from django.db import migrations

from servicedesk.tickets.search import search_index_install, search_index_remove


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_ticket_state_scope"),
    ]

    operations = [
        migrations.RunPython(search_index_install, search_index_remove),
    ]
