# The clocks' triggers copied the running resolution clock's due time onto the ticket row here.
# They now copy it beside the ticket (tickets/queue_order.py), and the migration that made that
# table installs them and fills every ticket's due time from its clocks: nothing is left to do
# here, whether the database is new or upgraded.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0009_closure_ranges"),
        ("tickets", "0012_resolution_due_and_queue_indexes"),
    ]

    operations: list[migrations.operations.base.Operation] = []
