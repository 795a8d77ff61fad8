# The clocks' trigger learnt here to stay still while the batched re-plan copies the due times
# itself. The migration that moved the due times beside the ticket (tickets/queue_order.py)
# installs the triggers as they are now: nothing is left to do here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0010_resolution_due_triggers"),
    ]

    operations: list[migrations.operations.base.Operation] = []
