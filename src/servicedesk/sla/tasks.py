from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.sla.sweep import sla_sweep


@every(seconds=60)
@task()
def sweep_clocks() -> dict[str, int]:
    """Announce SLA warnings and breaches that came due since the last sweep."""
    report = sla_sweep()
    return {"examined": report.examined, "warnings": report.warnings, "breaches": report.breaches}
