"""The benchmark data generator writes data the app's own rules would accept."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from bench.generate import GenerateReport, generate
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets import services
from servicedesk.tickets.choices import NUMBER_PREFIX, TicketKind, TicketState
from servicedesk.tickets.models import Comment, Ticket, TicketHistory
from servicedesk.tickets.numbering import format_number
from servicedesk.tickets.queues import Queue, QueueFilters, queue_tickets
from servicedesk.tickets.workflow import OPEN_STATES, PAUSED_STATES

TICKETS = 300
NUMBER = re.compile(r"^(INC|REQ|PRB|TASK)\d{7}$")


@pytest.fixture
def report(db: None, settings: Settings) -> GenerateReport:
    # A deliberately slow password hash would be most of this test's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate(TICKETS, seed=7, batch_size=120)  # several batches, one of them partial


def test_generated_data_is_consistent(report: GenerateReport) -> None:
    """One generation, several checks: generating is most of the time this takes."""
    assert report.tickets == TICKETS
    assert Ticket.objects.count() == TICKETS
    assert report.comments > 0
    assert Person.objects.filter(username__startswith="bench-").count() == report.people_added
    check_numbers_are_unique_and_well_formed(TICKETS)
    check_every_ticket_has_a_create_history_entry(TICKETS)
    check_assignees_are_members_of_their_group()
    check_times_are_in_order()
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {TicketState.NEW, TicketState.IN_PROGRESS, TicketState.CLOSED} <= states
    check_clocks_follow_the_tickets_state(report)


def test_generating_again_adds_tickets_but_not_people(report: GenerateReport) -> None:
    again = generate(50, seed=8)
    assert again.people_added == 0
    assert Ticket.objects.count() == TICKETS + 50
    check_numbers_are_unique_and_well_formed(TICKETS + 50)


def check_numbers_are_unique_and_well_formed(expected: int) -> None:
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == expected
    assert all(NUMBER.match(number) for number in numbers)
    for kind, prefix in NUMBER_PREFIX.items():
        assert all(
            number.startswith(prefix)
            for number in Ticket.objects.filter(kind=kind).values_list("number", flat=True)
        )


def test_numbering_continues_after_the_generated_tickets(report: GenerateReport) -> None:
    highest = max(
        int(number[len(NUMBER_PREFIX[TicketKind.INCIDENT]) :])
        for number in Ticket.objects.filter(kind=TicketKind.INCIDENT).values_list(
            "number", flat=True
        )
    )
    desk = Person.objects.get(username="desk")
    ticket = services.ticket_create(
        actor=desk, kind=TicketKind.INCIDENT, short_description="After the benchmark data"
    )
    assert ticket.number == format_number(TicketKind.INCIDENT, highest + 1)


def check_every_ticket_has_a_create_history_entry(expected: int) -> None:
    created = TicketHistory.objects.filter(action="ticket.create", field="number")
    assert created.count() == expected
    assert not created.exclude(after=F("ticket__number")).exists()
    assert not Ticket.objects.annotate(entries=Count("history")).filter(entries=0).exists()


def check_assignees_are_members_of_their_group() -> None:
    members = {
        (group_id, person_id)
        for group_id, person_id in SupportGroup.members.through.objects.values_list(
            "supportgroup_id", "person_id"
        )
    }
    assigned = Ticket.objects.filter(assignee__isnull=False)
    assert assigned.exists()
    for group_id, assignee_id in assigned.values_list("assignment_group_id", "assignee_id"):
        assert (group_id, assignee_id) in members


def check_times_are_in_order() -> None:
    closed = Ticket.objects.filter(state=TicketState.CLOSED)
    assert closed.exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not closed.filter(closed_at__lt=F("created_at")).exists()
    assert not closed.filter(closed_at__lt=F("resolved_at")).exists()
    assert not Ticket.objects.filter(resolved_at__lt=F("created_at")).exists()
    assert not Ticket.objects.filter(updated_at__lt=F("created_at")).exists()


def check_clocks_follow_the_tickets_state(report: GenerateReport) -> None:
    """Every open ticket has its resolution clock, in the state the ticket's state implies."""
    assert TicketClock.objects.count() == report.clocks > 0
    resolution = TicketClock.objects.filter(metric=Metric.RESOLUTION)
    open_tickets = Ticket.objects.filter(state__in=OPEN_STATES)
    assert resolution.filter(ticket__in=open_tickets).count() == open_tickets.count()
    waiting = resolution.filter(ticket__state__in=PAUSED_STATES)
    assert waiting.exists()
    assert not waiting.exclude(state=ClockState.PAUSED).exists()
    running = resolution.filter(state=ClockState.RUNNING)
    assert running.exists()
    assert running.filter(due_at__isnull=False).exists()
    assert not running.exclude(ticket__state__in=OPEN_STATES).exists()
    closed = resolution.filter(ticket__state=TicketState.CLOSED)
    assert closed.exists()
    assert not closed.exclude(state=ClockState.COMPLETED).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's road")
def test_on_postgresql_rows_are_copied_and_searchable(report: GenerateReport) -> None:
    """The generator's PostgreSQL road streams rows with COPY (no INSERT of a ticket or a
    comment passes through Django), and the search index knows them at once."""
    with CaptureQueriesContext(connection) as captured:
        generate(40, seed=9)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert not [sql for sql in inserts if "tickets_ticket" in sql or "tickets_comment" in sql]
    assert Ticket.objects.count() == TICKETS + 40
    desk = Person.objects.get(username="desk")
    on_open = Comment.objects.filter(ticket__state__in=OPEN_STATES).order_by("pk").first()
    assert on_open is not None
    words = on_open.body.strip(".?").split()
    found = queue_tickets(desk, Queue.ALL_OPEN, QueueFilters(text=" ".join(words[-2:])))
    assert found.filter(pk=on_open.ticket_id).exists()
