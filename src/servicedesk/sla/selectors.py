"""Reads of SLA clocks for the faces: a ticket's clocks with their timelines in words, and the
targets a triage *would* give before anyone saves it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet
from django.utils import timezone

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.explain import clock_summary, closures_for_clocks
from servicedesk.sla.models import BusinessCalendar, ClockEvent, TicketClock
from servicedesk.sla.rules import Decision, chart_for, decide, ticket_facts
from servicedesk.sla.services import load_clock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket

METRIC_ORDER = [Metric.ACKNOWLEDGE, Metric.CATEGORIZE, Metric.RESPONSE, Metric.RESOLUTION]


@dataclass(frozen=True)
class ClockView:
    metric: str
    metric_label: str
    target_label: str
    state: str
    state_label: str
    outcome: str
    due_at: datetime | None
    is_overdue: bool
    events: list[ClockEvent]
    # "counted Mon–Fri 07:00–17:00 America/Chicago; paused 2 h 10 min; Thu 26 Nov closed (…)"
    summary: str


def _clocks_of(ticket_id: int) -> QuerySet[TicketClock]:
    return TicketClock.objects.filter(ticket_id=ticket_id).select_related("calendar").order_by()


def _clock_events_of(ticket_id: int) -> QuerySet[ClockEvent]:
    return (
        ClockEvent.objects.filter(clock__ticket_id=ticket_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def _promised_clocks_of(ticket_id: int) -> QuerySet[TicketClock, tuple[str, str, datetime | None]]:
    running_or_paused = (ClockState.RUNNING, ClockState.PAUSED)
    return (
        TicketClock.objects.filter(ticket_id=ticket_id, state__in=running_or_paused)
        .order_by()
        .values_list("metric", "state", "due_at")
    )


# Asked on every ticket's page: compiled once (`core.kept_queries`).
_CLOCKS_OF = KeptQuery(_clocks_of)
_CLOCK_EVENTS_OF = KeptQuery(_clock_events_of)
_PROMISED_CLOCKS_OF = KeptQuery(_promised_clocks_of)


def clocks_for(ticket: Ticket, now: datetime | None = None) -> list[ClockView]:
    """The ticket's clocks in the order they end: three queries (clocks, their events, and the
    closures of their calendar, read once for all of them; one more per further calendar)."""
    now = now or timezone.now()
    loaded = [(row, load_clock(row)) for row in _CLOCKS_OF(ticket.pk)]
    events: dict[int, list[ClockEvent]] = {}
    for event in _CLOCK_EVENTS_OF(ticket.pk) if loaded else ():
        events.setdefault(event.clock_id, []).append(event)
    closures = closures_for_clocks(((row.calendar, clock) for row, clock in loaded), now)
    views = [
        ClockView(
            metric=row.metric,
            metric_label=Metric(row.metric).label,
            target_label=row.target_label,
            state=row.state,
            state_label=ClockState(row.state).label,
            outcome=row.outcome,
            due_at=row.due_at,
            is_overdue=bool(row.state == ClockState.RUNNING and row.due_at and row.due_at < now),
            events=events.get(row.pk, []),
            summary=clock_summary(row.calendar, clock, now, closures.get(row.calendar_id or 0)),
        )
        for row, clock in loaded
    ]
    return sorted(views, key=lambda view: METRIC_ORDER.index(Metric(view.metric)))


@dataclass(frozen=True)
class TargetPreview:
    metric_label: str
    target_label: str
    rule_name: str


def targets_preview(ticket: Ticket, changes: Mapping[str, object]) -> list[TargetPreview]:
    """The response and resolution targets the ticket would get with `changes` applied
    (field name → value, e.g. {"priority": "p2", "category_id": 3}); nothing is saved."""
    facts = ticket_facts(ticket, uncategorized_at_arrival=False)
    facts.update(changes)
    code_id = facts.get("priority_code_id")
    chart = chart_for([code_id if isinstance(code_id, int) else None])
    previews = []
    for metric in (Metric.RESPONSE, Metric.RESOLUTION):
        decision = decide(chart, metric, facts)
        previews.append(
            TargetPreview(
                metric_label=Metric(metric).label,
                target_label=decision.label,
                rule_name=decision_source_name(decision),
            )
        )
    return previews


def decision_source_name(decision: Decision) -> str:
    """The rule's name, or the priority code whose target it is."""
    if decision.rule is not None:
        return decision.rule.name
    if decision.code_target is not None:
        return f"priority code {decision.code_target.priority_code}"
    return "no rule matches yet"


# What each running clock promises the requester, in their words rather than the desk's.
PROMISE_WORDING: dict[tuple[str, str], str] = {
    (Metric.ACKNOWLEDGE, ""): "The desk acknowledges your ticket by {due}.",
    (Metric.CATEGORIZE, ""): "The desk reviews and categorizes it by {due}.",
    (Metric.RESPONSE, ""): "Someone starts working on it by {due}.",
    (Metric.RESOLUTION, TicketKind.INCIDENT): "We aim to have it working again by {due}.",
    (Metric.RESOLUTION, ""): "We aim to complete it by {due}.",
}
# While a clock is paused, what the ticket waits for.
UNTIL_THEN = "The clock is paused until then."
ON_HOLD_WORDING = {
    TicketState.AWAITING_CUSTOMER: f"On hold: waiting for your reply. {UNTIL_THEN}",
    TicketState.AWAITING_VENDOR: f"On hold: waiting for the vendor. {UNTIL_THEN}",
}
AWAITING_STATES = set(ON_HOLD_WORDING)
TARGETS_AFTER_TRIAGE = "The time to fix it is set once the desk has triaged it."


def _when(due: datetime, now: datetime, zone: ZoneInfo) -> str:
    local_due, local_now = due.astimezone(zone), now.astimezone(zone)
    clock = local_due.strftime("%H:%M")
    days_ahead = (local_due.date() - local_now.date()).days
    if days_ahead == 0:
        return f"today at {clock}"
    if days_ahead == 1:
        return f"tomorrow at {clock}"
    year = f" {local_due.year}" if local_due.year != local_now.year else ""
    return f"{local_due:%a} {local_due.day} {local_due:%b}{year} at {clock}"


def promises_in_words(ticket: Ticket, time_zone: str, now: datetime | None = None) -> str:
    """The running targets as sentences for the requester ("Someone starts working on it by
    today at 14:30."), in their time zone; empty when no clock has a target yet. One query."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    rows = list(_PROMISED_CLOCKS_OF(ticket.pk))
    running = sorted(
        (due, metric) for metric, state, due in rows if state == ClockState.RUNNING and due
    )
    waiting = ticket.state in AWAITING_STATES and any(row[1] == ClockState.PAUSED for row in rows)
    sentences = [ON_HOLD_WORDING[TicketState(ticket.state)]] if waiting else []
    for due, metric in running:
        wording = PROMISE_WORDING.get((metric, ticket.kind)) or PROMISE_WORDING[(metric, "")]
        sentences.append(wording.format(due=_when(due, now, zone)))
    fix_is_timed = {Metric.RESPONSE, Metric.RESOLUTION} & {metric for _due, metric in running}
    if rows and not waiting and not fix_is_timed:
        sentences.append(TARGETS_AFTER_TRIAGE)
    return " ".join(dict.fromkeys(sentences))


@dataclass(frozen=True)
class CalendarDay:
    """One day of a calendar's preview: its date, the hours it counts, and why if unusual."""

    day: date
    hours: str
    closure: str
    is_open: bool


def calendar_preview(row: BusinessCalendar, first: date, days: int = 30) -> list[CalendarDay]:
    """The next `days` days as the engine counts them: hours in local time, closures named.
    Two queries (the closures in the range; the calendar when its cached copy is stale)."""
    engine = engine_calendar(row)
    zone = ZoneInfo(row.time_zone)
    last = first + timedelta(days=days - 1)
    named: dict[date, str] = {}
    overlapping = row.closures.filter(date__lte=last).filter(
        Q(last_day__gte=first) | Q(last_day__isnull=True, date__gte=first)
    )
    for closure in overlapping:
        for day in closure.days:
            named[day] = closure.name
    preview = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if row.is_24x7:
            preview.append(CalendarDay(day, "around the clock", "", True))
            continue
        spans = engine.day_intervals(day)
        hours = ", ".join(
            f"{a.astimezone(zone):%H:%M}–{_end_words(b.astimezone(zone), day)}" for a, b in spans
        )
        preview.append(CalendarDay(day, hours or "closed", named.get(day, ""), bool(spans)))
    return preview


def _end_words(end: datetime, day: date) -> str:
    return "24:00" if end.date() > day else f"{end:%H:%M}"
