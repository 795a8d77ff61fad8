"""The impact × severity matrix of the state agency's filing procedure, in the reading agreed for the damaged table."""

from typing import Any

from django.db import migrations

MATRIX = {
    "outage": {"multi_agency": "p1", "agency": "p1", "individual": "p2"},
    "degradation": {"multi_agency": "p1", "agency": "p2", "individual": "p3"},
    "no_impact": {"multi_agency": "p2", "agency": "p3", "individual": "p4"},
}


def fill_matrix(apps: Any, schema_editor: Any) -> None:
    cell = apps.get_model("catalog", "PriorityMatrixCell")
    for severity, row in MATRIX.items():
        for impact, priority in row.items():
            cell.objects.get_or_create(
                impact=impact, severity=severity, defaults={"priority": priority}
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(fill_matrix, migrations.RunPython.noop)]
