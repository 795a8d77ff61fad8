from typing import Any

from django.db import migrations

from servicedesk.core.models import append_only_trigger_sql

KINDS = ("incident", "request", "problem", "task")
FIRST_NUMBER = 1001


def create_counters(apps: Any, schema_editor: Any) -> None:
    counter = apps.get_model("tickets", "NumberCounter")
    for kind in KINDS:
        counter.objects.get_or_create(kind=kind, defaults={"last": FIRST_NUMBER - 1})


def guard_history(apps: Any, schema_editor: Any) -> None:
    create, _ = append_only_trigger_sql("tickets_tickethistory", schema_editor.connection.vendor)
    schema_editor.execute(create)


def unguard_history(apps: Any, schema_editor: Any) -> None:
    _, drop = append_only_trigger_sql("tickets_tickethistory", schema_editor.connection.vendor)
    schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(create_counters, migrations.RunPython.noop),
        migrations.RunPython(guard_history, unguard_history),
    ]
