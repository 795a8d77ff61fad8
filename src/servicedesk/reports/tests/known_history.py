"""A desk's known history for the reports' tests: tickets at chosen ages, channels, agencies,
outcomes, clocks and surveys, written with the services and then dated where a test must."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.choices import ClockState, Metric, Outcome
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import SatisfactionSurvey, Ticket, TicketHistory
from servicedesk.tickets.services import ticket_create

CHANNELS = [Channel.EMAIL, Channel.PHONE, Channel.VOICEMAIL, Channel.PORTAL, Channel.CHAT]
STATES = [
    TicketState.NEW,
    TicketState.IN_PROGRESS,
    TicketState.AWAITING_CUSTOMER,
    TicketState.RESOLVED,
    TicketState.CLOSED,
    TicketState.REDIRECTED,
]


@dataclass
class History:
    now: datetime
    tickets: list[Ticket]
    agency_agent: Person
    agency_group: SupportGroup
    category: Category


def _clock(ticket: Ticket, metric: Metric, outcome: str, breached: datetime | None) -> None:
    TicketClock.objects.create(
        ticket=ticket,
        metric=metric,
        calendar=None,
        target_label="test target",
        state=ClockState.COMPLETED if outcome else ClockState.RUNNING,
        outcome=outcome,
        started_at=ticket.created_at,
        due_at=ticket.created_at + timedelta(hours=4),
        breached_at=breached,
        record={},
    )


def _shape(ticket: Ticket, index: int, history: History, rng: random.Random, org: Org) -> None:
    """Give ticket `index` its age, channel, state, group, clocks, survey and history."""
    now = history.now
    created = now - timedelta(days=rng.randrange(0, 40), hours=rng.randrange(0, 24))
    if index % 8 == 0:  # some since the last shift report
        created = now - timedelta(hours=rng.randrange(1, 23))
    state = rng.choice(STATES)
    group = rng.choice([org.desk_group, org.network_group, history.agency_group, None])
    fields: dict[str, object] = {
        "created_at": created,
        "updated_at": created + timedelta(hours=1),
        "channel": rng.choice(CHANNELS),
        "state": state,
        "agency": org.other_agency if index % 3 == 0 else org.agency,
        "assignment_group": group,
        "assignee": org.desk if group == org.desk_group and index % 2 else None,
        "service": org.service if index % 4 == 0 else None,
        "category": history.category if index % 5 == 0 else None,
        "priority": rng.choice(["p1", "p2", "p3", ""]),
    }
    if state in {TicketState.RESOLVED, TicketState.CLOSED}:
        fields["resolved_at"] = created + timedelta(hours=rng.randrange(1, 100))
    if state in {TicketState.CLOSED, TicketState.REDIRECTED}:
        fields["closed_at"] = created + timedelta(hours=rng.randrange(100, 200))
    if state == TicketState.REDIRECTED:
        fields["redirected_to"] = org.other_desk
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    # Replace the clocks the SLA rules started with ones of known outcome.
    TicketClock.objects.filter(ticket=ticket).delete()
    for metric in (Metric.RESPONSE, Metric.RESOLUTION):
        roll = rng.random()
        if roll < 0.4:
            _clock(ticket, metric, Outcome.MET, None)
        elif roll < 0.7:
            _clock(
                ticket, metric, Outcome.BREACHED, created + timedelta(hours=rng.randrange(4, 90))
            )
        elif roll < 0.85:
            _clock(ticket, metric, "", created + timedelta(hours=5))
    if index % 4 == 1:
        TicketHistory.objects.create(
            ticket=ticket,
            actor=org.desk,
            at=created + timedelta(hours=2),
            action="ticket.escalate",
            field="assignment_group",
            before="Service Desk",
            after="Network",
        )
    if index % 6 == 2:
        reopener = org.employee if index % 12 == 2 else org.desk
        TicketHistory.objects.create(
            ticket=ticket,
            actor=reopener,
            at=created + timedelta(hours=3),
            action="ticket.in_progress",
            field="state",
            before=TicketState.RESOLVED,
            after=TicketState.IN_PROGRESS,
        )
    if state == TicketState.CLOSED and index % 2 == 0:
        SatisfactionSurvey.objects.create(
            ticket=ticket,
            respondent=org.employee,
            rating=1 + index % 5,
            comment=f"Comment on {ticket.number}" if index % 4 == 0 else "",
            answered_at=created + timedelta(days=1),
        )


def build_history(org: Org, count: int = 60, seed: int = 7) -> History:
    rng = random.Random(seed)
    agency_group = SupportGroup.objects.create(name="Human Services desk", tier=Tier.SERVICE_DESK)
    agency_group.agencies.add(org.other_agency)
    agency_agent = make_person("hsagent", Role.AGENT, org.fiber)
    agency_group.members.add(agency_agent)
    category = Category.objects.create(number=990, name="Printing")
    history = History(timezone.now(), [], agency_agent, agency_group, category)
    for index in range(count):
        ticket = ticket_create(
            actor=org.employee, kind=TicketKind.INCIDENT, short_description=f"Known {index}"
        )
        _shape(ticket, index, history, rng, org)
        history.tickets.append(ticket)
    return history
