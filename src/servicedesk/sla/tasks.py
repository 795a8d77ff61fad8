from __future__ import annotations

from django.db import transaction
from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.sla.models import BusinessCalendar
from servicedesk.sla.replan import Replan, calendar_replan, replan_in_background
from servicedesk.sla.sweep import sla_sweep


@every(seconds=60)
@task()
def sweep_clocks() -> dict[str, int]:
    """Announce SLA warnings and breaches that came due since the last sweep."""
    report = sla_sweep()
    return {"examined": report.examined, "warnings": report.warnings, "breaches": report.breaches}


@task()
def replan_calendar(calendar_id: int) -> dict[str, int]:
    """Re-plan a large calendar's open clocks after a change, outside the admin's request."""
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return {"examined": 0, "written": 0}
    report = calendar_replan(calendar)
    return {"examined": report.examined, "written": report.written, "retried": report.retried}


def calendar_replan_soon(calendar: BusinessCalendar) -> Replan | None:
    """Re-plan now when the calendar has few open clocks; else start the background task once
    the change is committed, and answer None."""
    if not replan_in_background(calendar):
        return calendar_replan(calendar)
    calendar_id = calendar.pk
    transaction.on_commit(lambda: replan_calendar.enqueue(calendar_id))
    return None
