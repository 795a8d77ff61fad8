# Written by hand: on PostgreSQL the tickets' texts move from trigram indexes on the ticket row
# to a search table beside it (see tickets/search.py); SQLite's index is unchanged. Nothing in
# the models' state changes.

from typing import Any

from django.db import migrations

from servicedesk.tickets.search import (
    FORMER_TICKET_INDEXES,
    search_index_install,
    search_table_remove,
)


def back_onto_the_ticket_row(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    search_table_remove(apps, schema_editor)
    for create, _ in FORMER_TICKET_INDEXES:
        schema_editor.execute(create, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0013_person_newest_ticket_indexes"),
    ]

    operations = [
        migrations.RunPython(search_index_install, back_onto_the_ticket_row),
    ]
