from typing import Any

from django.db import migrations

from servicedesk.core.models import append_only_trigger_sql

TABLE = "sla_clockevent"


def guard(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(append_only_trigger_sql(TABLE, schema_editor.connection.vendor)[0])


def unguard(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(append_only_trigger_sql(TABLE, schema_editor.connection.vendor)[1])


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_rules_and_clocks")]

    operations = [migrations.RunPython(guard, unguard)]
