"""The only bridge between tickets in the database and the pure SLA engine.

Ticket services call `clocks_start` when a ticket is created and `clocks_follow` after every
change, inside their transaction; the engine decides, this module stores and explains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from servicedesk.core.editions import cached, reading_one_edition
from servicedesk.core.inserts import insert_rows
from servicedesk.directory.models import Person
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockEventKind, Metric
from servicedesk.sla.engine import Clock, ClockState
from servicedesk.sla.explain import hold_words, hours_words
from servicedesk.sla.models import BusinessCalendar, ClockEvent, SlaRule, TicketClock
from servicedesk.sla.rules import (
    NO_CLOCK_LABEL,
    Chart,
    Decision,
    TargetSpec,
    active_rules,
    chart_for,
    code_targets,
    decide,
    target_of,
    ticket_facts,
)
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import PAUSED_STATES

# Clocks whose target follows the ticket's triage; categorize and acknowledge are fixed at arrival.
RETARGETED_METRICS = (Metric.RESPONSE, Metric.RESOLUTION)
RETARGET_FIELDS = frozenset(
    {"kind", "priority", "category", "priority_code", "request_type", "location", "agency"}
)
ENDED_STATES = frozenset({TicketState.CLOSED, TicketState.CANCELLED, TicketState.REDIRECTED})


def _default_calendar() -> BusinessCalendar | None:
    name = settings.SERVICEDESK_DEFAULT_CALENDAR
    return cached(f"sla.default_calendar:{name}", BusinessCalendar.objects.filter(name=name).first)


def calendar_for(
    rule: TargetSpec | None,
    ticket: Ticket,
    default: Callable[[], BusinessCalendar | None] = _default_calendar,
) -> BusinessCalendar | None:
    """The target's own calendar, else the location's, else the default one (None = 24x7)."""
    if rule is not None and rule.calendar_id:
        return rule.calendar
    if ticket.location and ticket.location.calendar_id:
        if reading_one_edition():  # a write: the calendars as this process keeps them
            kept = cached("sla.calendars", _calendars_by_id).get(ticket.location.calendar_id)
            if kept is not None:
                return kept
        return ticket.location.calendar
    return default()


def _calendars_by_id() -> dict[int, BusinessCalendar]:
    return {row.pk: row for row in BusinessCalendar.objects.all()}


def local_stamp(at: datetime) -> str:
    return timezone.localtime(at).strftime("%a %d %b %Y %H:%M %Z")


# The columns `copy_clock` fills: what a bulk update of re-planned clocks writes.
CLOCK_COLUMNS = (
    "state",
    "outcome",
    "due_at",
    "breached_at",
    "stopped_at",
    "next_threshold_at",
    "record",
)


# The columns planned from a clock's record (all of CLOCK_COLUMNS but the record itself).
PLANNED_COLUMNS = CLOCK_COLUMNS[:-1]


def planned_columns(clock: Clock) -> tuple[Any, ...]:
    """The values of PLANNED_COLUMNS for `clock`, in their order."""
    outcome = clock.outcome.value if clock.outcome else ""
    return (
        clock.state.value,
        outcome,
        clock.due_at,
        clock.breached_at,
        clock.stopped_at,
        clock.next_threshold_at(),
    )


def copy_clock(row: TicketClock, clock: Clock) -> None:
    (
        row.state,
        row.outcome,
        row.due_at,
        row.breached_at,
        row.stopped_at,
        row.next_threshold_at,
    ) = planned_columns(clock)
    row.record = clock.to_dict()


def store_clock(row: TicketClock, clock: Clock) -> None:
    copy_clock(row, clock)
    row.save()


def store_clocks(rows: list[TicketClock]) -> None:
    """Write back a ticket's clocks after `copy_clock`: one statement however many they are."""
    TicketClock.objects.bulk_update(rows, [*CLOCK_COLUMNS, "rule", "calendar", "target_label"])


def _event(
    row: TicketClock, at: datetime, kind: ClockEventKind, detail: str, actor: Person | None
) -> None:
    ClockEvent.objects.create(clock=row, at=at, kind=kind, detail=detail, actor=actor)


def load_clock(row: TicketClock) -> Clock:
    return Clock.from_dict(row.record, engine_calendar(row.calendar))


def _due_words(clock: Clock) -> str:
    return f", due {local_stamp(clock.due_at)}" if clock.due_at else ""


@dataclass(frozen=True)
class PlannedClocks:
    """A new ticket's clocks, decided and planned but not written (`clocks_plan`)."""

    ticket: Ticket
    actor: Person | None
    rows: list[TicketClock]
    details: list[str]
    without_clock: list[tuple[TicketClock, Clock]]


def clocks_start(
    ticket: Ticket, actor: Person | None, rules: dict[str, list[SlaRule]] | None = None
) -> list[TicketClock]:
    """Start the ticket's clocks: their rows and their `started` events in one insert each.
    `rules`: the active rules, when the caller read them before its transaction."""
    return clocks_insert(clocks_plan(ticket, actor, rules))


def clocks_plan(
    ticket: Ticket, actor: Person | None, rules: dict[str, list[SlaRule]] | None = None
) -> PlannedClocks:
    """Decide and plan a new ticket's clocks, writing nothing: a filing does this before its
    transaction (the ticket need not be saved yet; its rows take its id when inserted), so that
    the planning's Python does not hold SQLite's one write lock."""
    chart = Chart(
        rules if rules is not None else active_rules(), code_targets([ticket.priority_code_id])
    )
    facts = ticket_facts(ticket, uncategorized_at_arrival=ticket.category_id is None)
    paused = ticket.state in PAUSED_STATES
    default_calendar = cache(_default_calendar)  # read once for all the clocks
    started: list[TicketClock] = []
    details: list[str] = []
    without_clock: list[tuple[TicketClock, Clock]] = []
    for metric in Metric:
        decision = decide(chart, metric, facts)
        source = decision.source
        if (source is None or decision.no_clock) and metric not in RETARGETED_METRICS:
            continue
        calendar_row = calendar_for(source, ticket, default_calendar)
        clock = Clock(
            target_of(source), engine_calendar(calendar_row), ticket.created_at, paused=paused
        )
        row = TicketClock(
            ticket=ticket,
            metric=metric,
            rule=decision.rule,
            calendar=calendar_row,
            target_label=decision.label,
            started_at=ticket.created_at,
        )
        copy_clock(row, clock)
        words = (
            f"{decision.label}, counted {hours_words(calendar_row)}{_due_words(clock)}"
            if source
            else "no SLA applies yet (the clock waits for triage)"
        )
        if decision.no_clock:
            without_clock.append((row, clock))
        started.append(row)
        details.append(f"started: {words}")
    return PlannedClocks(ticket, actor, started, details, without_clock)


def clocks_insert(planned: PlannedClocks) -> list[TicketClock]:
    """Write planned clocks (the ticket saved by now) and their `started` events."""
    ticket, actor, started = planned.ticket, planned.actor, planned.rows
    for row in started:
        row.ticket = ticket  # the ticket has its id now
    insert_rows(started)
    insert_rows(
        [
            ClockEvent(
                clock=row,
                at=ticket.created_at,
                kind=ClockEventKind.STARTED,
                detail=detail,
                actor=actor,
            )
            for row, detail in zip(started, planned.details, strict=True)
        ]
    )
    for row, clock in planned.without_clock:  # a code with no SLA and no clock: stopped at once
        _stop(row, clock, ticket.created_at, "no SLA for this priority code", actor)
        store_clock(row, clock)
    return started


def _retarget(
    row: TicketClock,
    clock: Clock,
    ticket: Ticket,
    decision: Decision,
    at: datetime,
    actor: Person | None,
) -> None:
    source = decision.source
    calendar_row = calendar_for(source, ticket)
    before = row.target_label
    stopped_for_no_clock = (
        clock.state == ClockState.COMPLETED and row.target_label == NO_CLOCK_LABEL
    )
    if stopped_for_no_clock and not decision.no_clock and ticket.state not in ENDED_STATES:
        # The code that had no clock was replaced: the clock runs again from now on.
        clock.reopen(at)
        if ticket.state in PAUSED_STATES:
            clock.pause(at)
    if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
        return  # a completed clock keeps the target it was decided on
    if clock.retarget(at, target_of(source), engine_calendar(calendar_row)) or (
        row.target_label != decision.label
    ):
        row.rule = decision.rule
        row.calendar = calendar_row
        row.target_label = decision.label
        _event(
            row,
            at,
            ClockEventKind.RETARGETED,
            f"retargeted: {before} → {row.target_label}, "
            f"counted {hours_words(calendar_row)}{_due_words(clock)}",
            actor,
        )
    if decision.no_clock:
        _stop(row, clock, at, "no SLA for this priority code", actor)


# How a clock's recorded timeline is replayed on another target (see `_replan_from_submission`).
_REPLAYED: dict[str, str] = {
    ClockEventKind.PAUSED: "pause",
    ClockEventKind.RESUMED: "resume",
    ClockEventKind.STOPPED: "stop",
    ClockEventKind.REOPENED: "reopen",
    ClockEventKind.CANCELLED: "cancel",
}


def _replan_from_submission(
    row: TicketClock,
    ticket: Ticket,
    decision: Decision,
    at: datetime,
    actor: Person | None,
) -> Clock:
    """The clock as if the ticket had been of its new kind since it was submitted.

    An incident converted to a service request (or back) counts from submission on the new
    kind's target: the time an untriaged incident spent with no SLA counts as it would have for a
    request, while the holds (awaiting customer or vendor), stops and reopenings are replayed from
    the clock's timeline as they happened.
    """
    source = decision.source
    calendar_row = calendar_for(source, ticket)
    before = row.target_label
    clock = Clock(target_of(source), engine_calendar(calendar_row), row.started_at)
    for event in row.events.order_by("at", "id"):
        action = _REPLAYED.get(event.kind)
        if action is not None:
            getattr(clock, action)(max(event.at, clock.last_event_at))
    clock.observe(max(at, clock.last_event_at))
    row.rule = decision.rule
    row.calendar = calendar_row
    row.target_label = decision.label
    kind = TicketKind(ticket.kind).label.lower()
    article = "an" if kind[0] in "aeiou" else "a"
    _event(
        row,
        at,
        ClockEventKind.RETARGETED,
        f"re-planned from submission as {article} {kind}: {before} → {row.target_label}, "
        f"counted {hours_words(calendar_row)}{_due_words(clock)}",
        actor,
    )
    return clock


def _held_since(row: TicketClock, clock: Clock) -> datetime:
    """When the current hold began: the clock's last pause."""
    paused = row.events.filter(kind=ClockEventKind.PAUSED).order_by("at", "id").last()
    return paused.at if paused else clock.last_event_at


def _follow_state(
    row: TicketClock, clock: Clock, old: str, new: str, at: datetime, actor: Person | None
) -> None:
    active = clock.state in (ClockState.RUNNING, ClockState.PAUSED)
    label = TicketState(new).label.lower()
    if new in PAUSED_STATES and active and not clock.on_hold:
        clock.pause(at)
        _event(row, at, ClockEventKind.PAUSED, f"paused: {label}", actor)
    elif old in PAUSED_STATES and new not in PAUSED_STATES and active and clock.on_hold:
        held_since = _held_since(row, clock)
        clock.resume(at)
        _event(
            row,
            at,
            ClockEventKind.RESUMED,
            f"resumed: {label}{hold_words(clock.calendar, held_since, at)}",
            actor,
        )
    if new == TicketState.RESOLVED and active:
        clock.stop(at)
        _event(row, at, ClockEventKind.STOPPED, f"stopped: resolved ({clock.outcome})", actor)
    elif (
        old == TicketState.RESOLVED
        and new not in ENDED_STATES
        and row.metric == Metric.RESOLUTION
        and clock.state == ClockState.COMPLETED
    ):
        clock.reopen(at)
        _event(
            row,
            at,
            ClockEventKind.REOPENED,
            f"reopened: the requester disputed the resolution{_due_words(clock)}",
            actor,
        )
    elif new in ENDED_STATES and active:
        clock.cancel(at)
        _event(row, at, ClockEventKind.CANCELLED, f"cancelled: {label}", actor)


def _stop(row: TicketClock, clock: Clock, at: datetime, why: str, actor: Person | None) -> None:
    if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
        clock.stop(at)
        _event(row, at, ClockEventKind.STOPPED, f"stopped: {why} ({clock.outcome})", actor)


def accepted_by(
    ticket: Ticket, actor: Person | None, changed: set[str], after: dict[str, str]
) -> bool:
    """A technician accepted the ticket: they took it (became its assignee by their own act) or,
    as its assignee, started work on it. Routing it to a group, or someone else handing it to
    them, acknowledges nothing (the school district's chart: "Technicians will acknowledge")."""
    if actor is None or not actor.is_staff_member or ticket.assignee_id != actor.pk:
        return False
    return "assignee" in changed or after.get("state") == TicketState.IN_PROGRESS


def clocks_follow(
    ticket: Ticket, actor: Person | None, before: dict[str, str], after: dict[str, str]
) -> None:
    """Drive the ticket's clocks after a change: pause, resume, stop, reopen, retarget."""
    changed = {name for name in before if before[name] != after[name]}
    if not changed:
        return
    at = ticket.updated_at
    chart: Chart | None = (
        chart_for([ticket.priority_code_id]) if changed & RETARGET_FIELDS else None
    )
    facts = ticket_facts(ticket, uncategorized_at_arrival=False)
    rows = list(ticket.clocks.select_related("calendar").select_for_update(of=("self",)))
    for row in rows:
        clock = load_clock(row)
        if chart is not None and row.metric in RETARGETED_METRICS:
            decision = decide(chart, row.metric, facts)
            if "kind" in changed:
                clock = _replan_from_submission(row, ticket, decision, at, actor)
            else:
                _retarget(row, clock, ticket, decision, at, actor)
        if row.metric == Metric.CATEGORIZE and "category" in changed and ticket.category_id:
            _stop(row, clock, at, "categorized", actor)
        if row.metric == Metric.ACKNOWLEDGE and accepted_by(ticket, actor, changed, after):
            _stop(row, clock, at, f"accepted by {actor}", actor)
        if "state" in changed:
            _follow_state(row, clock, before["state"], after["state"], at, actor)
        copy_clock(row, clock)
    store_clocks(rows)


def clocks_on_public_reply(ticket: Ticket, author: Person, at: datetime) -> None:
    """The first public reply by staff answers the response and acknowledge clocks."""
    if not author.is_staff_member:
        return
    rows = list(
        ticket.clocks.select_related("calendar")
        .select_for_update(of=("self",))
        .filter(metric__in=[Metric.RESPONSE, Metric.ACKNOWLEDGE])
    )
    for row in rows:
        clock = load_clock(row)
        _stop(row, clock, at, f"first reply by {author}", author)
        copy_clock(row, clock)
    store_clocks(rows)
