# Written by hand: the clocks' trigger keeping Ticket.resolution_due_at stays still while the
# batched re-plan copies the due times itself (see sla/resolution_due.py). PostgreSQL only.

from django.db import migrations

from servicedesk.sla.resolution_due import resolution_due_triggers_install


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0010_resolution_due_triggers"),
    ]

    operations = [migrations.RunPython(resolution_due_triggers_install, migrations.RunPython.noop)]
