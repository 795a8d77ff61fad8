"""One generated ticket at a time: its kind, state and times drawn from a desk's history, then
its row, comments and affected people, from a seeded random generator (`bench.generate` writes
them). Import it once Django is set up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bench.population import Organisation
from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.workflow import OPEN_STATES

HISTORY_YEARS = 2
KIND_WEIGHTS = {
    TicketKind.INCIDENT: 70,
    TicketKind.REQUEST: 25,
    TicketKind.PROBLEM: 3,
    TicketKind.TASK: 2,
}
# A desk's history: most tickets are finished within days, a backlog lingers for months, and
# about 15% of all tickets are open. Ages are in days.
OPEN_WHEN_NEW_SHARE = 0.4
OPEN_HALF_LIFE = 150
STALE_OPEN_SHARE = 0.03
OPEN_STATE_WEIGHTS = {
    TicketState.NEW: 1,  # forgotten in the triage queue
    TicketState.ASSIGNED: 9,
    TicketState.IN_PROGRESS: 15,
    TicketState.AWAITING_CUSTOMER: 9,
    TicketState.AWAITING_VENDOR: 3,
}
UNTRIAGED_DAYS = 3  # most tickets still `new` are only days old
FINISHED = {TicketState.CLOSED: 93, TicketState.CANCELLED: 6, TicketState.REDIRECTED: 1}
CHANNEL_WEIGHTS = {
    Channel.PORTAL: 45,
    Channel.EMAIL: 25,
    Channel.PHONE: 15,
    Channel.CHAT: 8,
    Channel.WALK_IN: 2,
    Channel.MONITORING: 4,
    Channel.API: 1,
}
IMPACT_WEIGHTS = {Impact.INDIVIDUAL: 75, Impact.AGENCY: 20, Impact.MULTI_AGENCY: 5}
SEVERITY_WEIGHTS = {Severity.DEGRADATION: 50, Severity.NO_IMPACT: 30, Severity.OUTAGE: 20}
# Median time to resolve by priority; real resolution times have a long right tail.
MEDIAN_RESOLUTION = {
    "p1": timedelta(hours=4),
    "p2": timedelta(days=1),
    "p3": timedelta(days=3),
    "p4": timedelta(days=5),
    "": timedelta(days=2),
}
DISPUTE_WINDOW = timedelta(days=3)
# Comments per worked ticket: 0..4, about 1.5 on average.
COMMENT_COUNT_WEIGHTS = [25, 30, 25, 12, 8]
INTERNAL_SHARE = 0.3
AFFECTED_SHARE = 0.10
DESK_KEEPS_SHARE = 0.35  # incidents and requests the L1 desk resolves itself
T = TypeVar("T")


@dataclass(frozen=True)
class Timeline:
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None


def weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def priority_matrix() -> dict[tuple[str, str], str]:
    """The 9 cells read once: `priority_from_matrix` costs a query per ticket."""
    return {(c.impact, c.severity): c.priority for c in PriorityMatrixCell.objects.all()}


def _created_at(rng: random.Random, now: datetime) -> datetime:
    """Recent tickets outnumber old ones: the desk grows, linearly over the span."""
    span = timedelta(days=365 * HISTORY_YEARS)
    recency = rng.random() if rng.random() < 0.5 else max(rng.random(), rng.random())
    created = now - span * (1 - recency)
    if rng.random() < 0.85:  # most tickets arrive in Chicago office hours on weekdays
        created = created.replace(hour=rng.randint(13, 22), minute=rng.randint(0, 59))
        created -= timedelta(days=max(0, created.weekday() - 4))
    return min(created, now - timedelta(minutes=1))


def _open_state(rng: random.Random, age_days: float) -> TicketState | None:
    """The state of a ticket still open at this age, or None when it has been finished."""
    still_open = OPEN_WHEN_NEW_SHARE * 0.5 ** (age_days / OPEN_HALF_LIFE)
    if rng.random() >= max(still_open, STALE_OPEN_SHARE):
        return None
    if age_days < UNTRIAGED_DAYS and rng.random() < 0.8:
        return TicketState.NEW
    return weighted(rng, OPEN_STATE_WEIGHTS)


def plan_ticket(rng: random.Random, priority: str, now: datetime) -> tuple[TicketState, Timeline]:
    """A state and consistent times: created <= resolved <= closed <= now."""
    created = _created_at(rng, now)
    open_state = _open_state(rng, (now - created) / timedelta(days=1))
    if open_state is not None:
        return open_state, Timeline(created, created + (now - created) * rng.random(), None, None)
    state = weighted(rng, FINISHED)
    to_resolve = MEDIAN_RESOLUTION[priority] * rng.lognormvariate(0, 1)
    if state != TicketState.CLOSED:  # withdrawn or sent to another desk, soon after arriving
        took = to_resolve / 4 if state == TicketState.CANCELLED else timedelta(minutes=30)
        closed = min(created + took, now)
        return state, Timeline(created, closed, None, closed)
    resolved = created + to_resolve
    # Closed: confirmed by the requester, or automatically when the dispute window ends.
    closed = resolved + (DISPUTE_WINDOW * rng.random() if rng.random() < 0.3 else DISPUTE_WINDOW)
    if resolved > now:  # not finished after all: someone is still working on it
        updated = created + (now - created) * rng.random()
        return TicketState.IN_PROGRESS, Timeline(created, updated, None, None)
    if closed > now:
        return TicketState.RESOLVED, Timeline(created, resolved, resolved, None)
    return state, Timeline(created, closed, resolved, closed)


class TicketFactory:
    """Builds unsaved rows for one ticket at a time from a seeded random generator."""

    def __init__(self, org: Organisation, rng: random.Random, now: datetime) -> None:
        self.org = org
        self.rng = rng
        self.now = now
        self.matrix = priority_matrix()

    def plan(self, count: int) -> list[tuple[TicketKind, TicketState, str, Timeline]]:
        """Kind, state, priority and times of every ticket, oldest first, as numbers run."""
        plans = []
        for _ in range(count):
            kind = weighted(self.rng, KIND_WEIGHTS)
            priority = self._triage_priority(kind)
            state, times = plan_ticket(self.rng, priority, self.now)
            if state == TicketState.REDIRECTED and kind in {TicketKind.PROBLEM, TicketKind.TASK}:
                state = TicketState.CANCELLED  # only what people report goes elsewhere
            plans.append((kind, state, priority, times))
        plans.sort(key=lambda plan: plan[3].created_at)
        return plans

    def _triage_priority(self, kind: TicketKind) -> str:
        if kind == TicketKind.REQUEST:
            return ""  # set from the request type in `ticket`
        return self.matrix.get(
            (weighted(self.rng, IMPACT_WEIGHTS), weighted(self.rng, SEVERITY_WEIGHTS)), ""
        )

    def ticket(
        self, number: str, kind: TicketKind, state: TicketState, priority: str, times: Timeline
    ) -> Ticket:
        rng, org = self.rng, self.org
        requester = org.pick_requester(rng)
        channel = weighted(self.rng, CHANNEL_WEIGHTS)
        if kind != TicketKind.INCIDENT and channel == Channel.MONITORING:
            channel = Channel.EMAIL
        text, service_key, request_type = org.pick_subject(rng, kind)
        service = org.services[service_key] if rng.random() > 0.05 else None
        triaged = not (state == TicketState.NEW and channel == Channel.PORTAL)
        impact, severity = "", ""
        category = None
        if kind == TicketKind.REQUEST and request_type is not None:
            priority = request_type.default_priority
            category = request_type.default_category_id
        elif triaged and priority:
            impact, severity = self._cell_for(priority)
        else:
            priority = ""
        group = self._group(kind, state, service_key if service else None)
        assignee = None
        if state != TicketState.NEW and group is not None and org.members[group]:
            assignee = rng.choice(org.members[group])
        finished = state not in OPEN_STATES
        return Ticket(
            number=number,
            kind=kind,
            state=state,
            version=1 if state == TicketState.NEW else rng.randint(2, 8),
            short_description=text,
            description=org.describe(rng, text, channel),
            requester_id=requester.pk,
            requested_by_id=requester.pk if channel == Channel.PORTAL else org.desk_agent(rng),
            channel=channel,
            agency_id=requester.agency_id,
            location_id=requester.location_id,
            service_id=service.pk if service else None,
            category_id=category,
            request_type_id=request_type.pk if request_type else None,
            impact=impact,
            severity=severity,
            priority=priority,
            assignment_group_id=group,
            assignee_id=assignee,
            redirected_to_id=(
                rng.choice(org.help_desks) if state == TicketState.REDIRECTED else None
            ),
            resolution_note=org.resolution_note(rng, state) if finished else "",
            created_at=times.created_at,
            updated_at=times.updated_at,
            resolved_at=times.resolved_at,
            closed_at=times.closed_at,
        )

    def _cell_for(self, priority: str) -> tuple[str, str]:
        """An (impact, severity) pair the matrix maps to this priority."""
        cells = [cell for cell, value in self.matrix.items() if value == priority]
        return self.rng.choice(cells)

    def _group(self, kind: TicketKind, state: TicketState, service_key: str | None) -> int | None:
        org = self.org
        if state == TicketState.REDIRECTED:
            return org.desk_group
        service_group = org.service_groups[service_key] if service_key else None
        worked_by_people = kind in {TicketKind.INCIDENT, TicketKind.REQUEST}
        if (
            worked_by_people
            and state != TicketState.NEW
            and (service_group is None or self.rng.random() < DESK_KEEPS_SHARE)
        ):
            return org.desk_group
        return service_group or (org.desk_group if state != TicketState.NEW else None)

    def comments(self, ticket: Ticket) -> list[Comment]:
        rng = self.rng
        weights = [80, 20] if ticket.state == TicketState.NEW else COMMENT_COUNT_WEIGHTS
        count = rng.choices(range(len(weights)), weights=weights)[0]
        end = ticket.closed_at or ticket.resolved_at or ticket.updated_at
        times = sorted(
            ticket.created_at + (end - ticket.created_at) * rng.random() for _ in range(count)
        )
        made = []
        for at in times:
            internal = rng.random() < INTERNAL_SHARE
            staff = ticket.assignee_id or self.org.desk_agent(rng)
            from_requester = not internal and rng.random() < 0.4
            made.append(
                Comment(
                    ticket_id=ticket.pk,
                    author_id=ticket.requester_id if from_requester else staff,
                    body=self.org.comment_body(
                        rng, internal=internal, from_requester=from_requester
                    ),
                    is_internal=internal,
                    channel=Channel.EMAIL
                    if from_requester and rng.random() < 0.5
                    else Channel.PORTAL,
                    created_at=at,
                )
            )
        return made

    def affected(self, ticket: Ticket) -> list[int]:
        if self.rng.random() >= AFFECTED_SHARE:
            return []
        count = self.rng.randint(1, 5)
        return self.org.colleagues(self.rng, ticket.requester_id, ticket.agency_id, count)
