from django.db import migrations

from servicedesk.sla.resolution_due import resolution_due_install, resolution_due_remove


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0009_closure_ranges"),
        ("tickets", "0012_resolution_due_and_queue_indexes"),
    ]

    operations = [migrations.RunPython(resolution_due_install, resolution_due_remove)]
