"""A service desk at two sizes, for the two-size test of page query counts and plans.

The benchmark generator (`bench.generate`) fills the tickets, comments, history and affected
people; this module adds what the generator leaves out and the pages need: SLA clocks on every
ticket, a handful of tickets of the demo employee (an employee's own tickets do not multiply with
the desk's size), a chat waiting at the desk, and one ticket worked through the real services
whose page both the agent and the employee open, which gains comments as the desk grows so that a
query per comment shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from bench import population
from bench.generate import generate
from servicedesk.chat.services import chat_start
from servicedesk.directory.models import Agency, Person, SupportGroup
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import Metric
from servicedesk.sla.engine import Clock, Target
from servicedesk.sla.models import BusinessCalendar, TicketClock
from servicedesk.sla.services import copy_clock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.collaboration import comment_add
from servicedesk.tickets.services.lifecycle import ticket_assign, ticket_create
from servicedesk.tickets.workflow import OPEN_STATES

# Fewer requesters than the benchmark's 2,000: the people are not what this test grows.
REQUESTERS = 300
EMPLOYEE = "employee"
# The demo employee's share of each batch of generated tickets, capped: one person's tickets.
EMPLOYEE_TICKETS_PER_BATCH = 4
# Comments the worked ticket gains with each batch (a reply from each side and an internal note).
COMMENT_ROUNDS_PER_BATCH = 2
RESOLUTION_TARGET = timedelta(hours=8)
HOURS_TO_DUE = (-2, 2, 12, 20, 30, 44)  # overdue, breaching soon (within 4 hours), later
# The states tickets are given so that every queue of every staff role holds some at any size.
QUEUE_STATES = (
    TicketState.NEW,
    TicketState.ASSIGNED,
    TicketState.IN_PROGRESS,
    TicketState.AWAITING_CUSTOMER,
    TicketState.RESOLVED,
)
SEEDED_EVERY = 3  # every third ticket: 15 (every state in every group) from 45 tickets on
# Each staff role's own group: the desk serves every agency, Network Services Service Oklahoma.
STAFF_GROUPS = {
    "desk": "OMES Service Desk",
    "network": "Network Services",
    "manager": "Service Lead",
}


@dataclass(frozen=True)
class Desk:
    worked_ticket: str  # the number of the ticket whose pages are opened


def _clock(ticket_id: int, started: datetime, stopped: datetime | None) -> TicketClock:
    """A resolution clock on the round-the-clock calendar, as the SLA services would store it."""
    calendar = BusinessCalendar.objects.get(name="24x7")
    clock = Clock(
        Target.duration(int(RESOLUTION_TARGET.total_seconds())), engine_calendar(calendar), started
    )
    if stopped is not None:
        clock.stop(max(stopped, started))
    row = TicketClock(
        ticket_id=ticket_id,
        metric=Metric.RESOLUTION,
        calendar=calendar,
        target_label="8 hours",
        started_at=started,
    )
    copy_clock(row, clock)
    return row


def add_clocks(now: datetime) -> None:
    """A resolution clock for every ticket that has none: open tickets' clocks run and fall due
    around now (a sixth overdue, a sixth breaching soon, the rest later), finished tickets' are
    stopped."""
    tickets = Ticket.objects.filter(clocks__isnull=True).values_list(
        "pk", "state", "created_at", "resolved_at", "closed_at"
    )
    rows = []
    opened = 0  # counts the open tickets only, so that each due time comes round at any size
    for pk, state, created, resolved, closed in tickets.order_by("pk"):
        if state in OPEN_STATES:
            due_in = timedelta(hours=HOURS_TO_DUE[opened % len(HOURS_TO_DUE)])
            opened += 1
            rows.append(_clock(pk, now + due_in - RESOLUTION_TARGET, None))
        else:
            rows.append(_clock(pk, created, resolved or closed or created))
    TicketClock.objects.bulk_create(rows, batch_size=1000)


def fill_every_queue(since_pk: int) -> None:
    """Give every third ticket of the newest batch the state, group and assignee that put some
    in every queue of every staff role (half of them in Service Oklahoma, which the scoped agent
    serves): an empty queue runs fewer queries, and one that grows with the batch shows a query
    per row."""
    homes = [
        (Person.objects.get(username=username), SupportGroup.objects.get(name=name))
        for username, name in STAFF_GROUPS.items()
    ]
    served = Agency.objects.get(code="sok")
    batch = list(Ticket.objects.filter(pk__gt=since_pk).order_by("pk"))[::SEEDED_EVERY]
    for index, ticket in enumerate(batch):
        state = QUEUE_STATES[index % len(QUEUE_STATES)]
        person, group = homes[(index // len(QUEUE_STATES)) % len(homes)]
        ticket.state = state
        ticket.assignment_group = None if state == TicketState.NEW else group
        ticket.assignee = None if state == TicketState.NEW else person
        ticket.agency = served if index % 2 else ticket.agency
        ticket.resolved_at = ticket.updated_at if state == TicketState.RESOLVED else None
        ticket.closed_at = None
    Ticket.objects.bulk_update(
        batch, ["state", "assignment_group", "assignee", "agency", "resolved_at", "closed_at"]
    )


def give_employee_tickets(since_pk: int) -> None:
    """Hand a few of the newest batch's last tickets to the demo employee (open and finished)."""
    employee = Person.objects.get(username=EMPLOYEE)
    batch = Ticket.objects.filter(pk__gt=since_pk).order_by("-pk")
    chosen = [
        *batch.filter(state__in=OPEN_STATES).values_list("pk", flat=True)[:2],
        *batch.exclude(state__in=OPEN_STATES).values_list("pk", flat=True)[:2],
    ][:EMPLOYEE_TICKETS_PER_BATCH]
    Ticket.objects.filter(pk__in=chosen).update(
        requester=employee, agency_id=employee.agency_id, location_id=employee.location_id
    )


def work_on(number: str) -> None:
    """Another round of conversation on the worked ticket, through the services."""
    ticket = Ticket.objects.get(number=number)
    employee = Person.objects.get(username=EMPLOYEE)
    network = Person.objects.get(username="network")
    for round_ in range(COMMENT_ROUNDS_PER_BATCH):
        comment_add(ticket, actor=network, body=f"Checked the switch, round {round_}.")
        comment_add(ticket, actor=network, body="Port flapping on the uplink.", internal=True)
        comment_add(ticket, actor=employee, body="Still dropping now and then.")


def _worked_ticket() -> str:
    """The employee's network outage, with the Network Services group: every role sees it."""
    employee = Person.objects.get(username=EMPLOYEE)
    network = Person.objects.get(username="network")
    ticket = ticket_create(
        actor=employee,
        kind=TicketKind.INCIDENT,
        short_description="The office network and the VPN drop every few minutes",
        description="Since this morning, all of us on the second floor.",
        affected_people=Person.objects.filter(username__in=["jbrooks", "lnguyen"]),
    )
    group = SupportGroup.objects.get(name="Network Services")
    ticket = ticket_assign(ticket, actor=network, version=None, group=group, assignee=network)
    chat_start(requester=employee, topic="The network again")
    return ticket.number


def grow(tickets: int, *, seed: int, desk: Desk | None = None) -> Desk:
    """Add `tickets` generated tickets (the first call builds the organisation and the worked
    ticket); returns the desk to open pages of."""
    newest = Ticket.objects.aggregate(newest=Max("pk"))["newest"] or 0
    original = population.REQUESTERS
    population.REQUESTERS = REQUESTERS
    try:
        generate(tickets, seed=seed)
    finally:
        population.REQUESTERS = original
    fill_every_queue(newest)
    give_employee_tickets(newest)
    desk = desk or Desk(worked_ticket=_worked_ticket())
    work_on(desk.worked_ticket)
    add_clocks(timezone.now())
    return desk
