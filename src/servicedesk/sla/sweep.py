"""The periodic sweep: announce each clock's 50/75/100 % crossings once, and record breaches.

Safe with several workers: each clock is re-read and locked in its own transaction, so a clock
another worker has just announced no longer reports the crossing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla.choices import ClockEventKind, ClockState
from servicedesk.sla.engine import ThresholdCrossing
from servicedesk.sla.models import ClockEvent, TicketClock
from servicedesk.sla.services import load_clock, local_stamp, store_clock
from servicedesk.tickets.events import EventName, TicketEvent, publish

BATCH = 500


@dataclass
class SweepReport:
    examined: int = 0
    warnings: int = 0
    breaches: int = 0


def alert_recipients(row: TicketClock, percent: int) -> list[Person]:
    """50 %: the assignee; 75 %: also the group's lead; a breach: also the service leads."""
    ticket = row.ticket
    people: list[Person] = [ticket.assignee] if ticket.assignee else []
    group = ticket.assignment_group
    if percent >= 75 and group is not None and group.lead is not None:
        people.append(group.lead)
    if percent >= 100:
        people += Person.objects.filter(role=Role.SERVICE_LEAD, is_active=True)
    unique = {person.pk: person for person in people}
    return list(unique.values())


def _announce(row: TicketClock, crossing: ThresholdCrossing, now: datetime) -> bool:
    breach = crossing.percent >= 100
    metric = row.get_metric_display().lower()
    detail = (
        f"breached: {metric} target of {row.target_label} passed {local_stamp(crossing.at)}"
        if breach
        else f"{crossing.percent} % of the {metric} target of {row.target_label} used"
    )
    kind = ClockEventKind.BREACHED if breach else ClockEventKind.THRESHOLD
    ClockEvent.objects.create(clock=row, at=crossing.at, kind=kind, detail=detail)
    recipients = alert_recipients(row, crossing.percent)
    publish(
        TicketEvent(
            EventName.SLA_BREACH if breach else EventName.SLA_WARNING,
            row.ticket,
            None,
            now,
            note=detail,
            data={
                "metric": row.metric,
                "percent": crossing.percent,
                "crossed_at": crossing.at.isoformat(),
                "recipients": [person.pk for person in recipients],
            },
        )
    )
    return breach


def _sweep_one(pk: int, now: datetime, report: SweepReport) -> None:
    locking = TicketClock.objects.select_for_update(
        of=("self",), skip_locked=connection.features.has_select_for_update_skip_locked
    )
    row = (
        locking.select_related("calendar", "ticket__assignee", "ticket__assignment_group__lead")
        .filter(pk=pk, state=ClockState.RUNNING, next_threshold_at__lte=now)
        .first()
    )
    if row is None:
        return
    report.examined += 1
    clock = load_clock(row)
    clock.observe(now)
    for crossing in clock.thresholds_due(now):
        if clock.mark_fired(crossing):
            if _announce(row, crossing, now):
                report.breaches += 1
            else:
                report.warnings += 1
    store_clock(row, clock)


def sla_sweep(now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    due = TicketClock.objects.filter(state=ClockState.RUNNING, next_threshold_at__lte=now).order_by(
        "next_threshold_at"
    )
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            _sweep_one(pk, now, report)
    return report
