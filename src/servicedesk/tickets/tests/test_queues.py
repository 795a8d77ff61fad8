"""Queues, search, the "next ticket" order and the school district's supervisor approval, and bulk
actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.discipline import next_ticket_for
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, QueueFilters, queue_counts, queue_tickets
from servicedesk.tickets.services import (
    BulkAction,
    comment_add,
    ticket_create,
    ticket_take,
    ticket_transition,
    tickets_bulk,
)


def make(org: Org, text: str, **fields) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description=text,
        assignment_group=org.network_group,
        **fields,
    )


def due_in(ticket: Ticket, minutes: int) -> None:
    TicketClock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() + timedelta(minutes=minutes)
    )


@pytest.fixture
def three(org: Org) -> dict[str, Ticket]:
    late, soon, later = make(org, "Late one"), make(org, "Soon one"), make(org, "Later one")
    due_in(late, -30)
    due_in(soon, 60)
    due_in(later, 60 * 24)
    return {"late": late, "soon": soon, "later": later}


def numbers(tickets) -> list[str]:
    return [t.number for t in tickets]


def test_queues_sort_by_sla_due_and_split_overdue_from_breaching_soon(org: Org, three) -> None:
    group_queue = queue_tickets(org.network, Queue.MY_GROUPS)
    assert numbers(group_queue) == [three[k].number for k in ("late", "soon", "later")]
    assert (
        numbers(queue_tickets(org.network, Queue.MY_GROUPS, sort="-due"))[0]
        == three["later"].number
    )
    assert numbers(queue_tickets(org.desk, Queue.OVERDUE)) == [three["late"].number]
    assert numbers(queue_tickets(org.desk, Queue.BREACHING_SOON)) == [three["soon"].number]
    assert numbers(queue_tickets(org.desk, Queue.MY_GROUPS)) == []  # desk is not in network
    counts = queue_counts(org.network)
    assert (counts[Queue.MY_GROUPS], counts[Queue.OVERDUE], counts[Queue.NEW]) == (3, 1, 3)


def test_search_covers_number_text_and_comments_and_filters_narrow(org: Org, three) -> None:
    comment_add(three["later"], actor=org.desk, body="Switch in closet B", internal=True)
    search = queue_tickets(org.desk, Queue.ALL_OPEN, QueueFilters(text="closet"))
    assert numbers(search) == [three["later"].number]
    by_number = queue_tickets(org.desk, Queue.ALL_OPEN, QueueFilters(text=three["soon"].number))
    assert numbers(by_number) == [three["soon"].number]
    filtered = queue_tickets(org.desk, Queue.ALL_OPEN, QueueFilters(kind="request"))
    assert not filtered.exists()
    # An employee's search never matches an internal note.
    assert not queue_tickets(org.employee, Queue.ALL_OPEN, QueueFilters(text="closet")).exists()


@pytest.fixture
def scheduled(org: Org) -> Ticket:
    category = Category.objects.create(
        number=5, name="Scheduled maintenance", is_scheduled_work=True
    )
    return make(org, "Upgrade the lab", category=category)


def test_next_ticket_puts_overdue_first_and_scheduled_work_last(org: Org, three, scheduled):
    assert next_ticket_for(org.network) == three["late"]
    ticket_take(three["late"], actor=org.network, version=None)
    due_in(three["late"], 60 * 48)  # taken by me and no longer late: back in normal order
    assert next_ticket_for(org.network) == three["soon"]


def test_taking_scheduled_work_ahead_of_overdue_needs_a_supervisor(org: Org, three, scheduled):
    with pytest.raises(TicketError) as refused:
        ticket_take(scheduled, actor=org.network, version=None)
    assert "1 overdue ticket" in refused.value.message
    with pytest.raises(TicketError):
        ticket_take(scheduled, actor=org.lead, version=None, assignee=org.network)
    taken = ticket_take(
        scheduled,
        actor=org.lead,
        version=None,
        assignee=org.network,
        approval_reason="Lab must be ready for Monday's exams",
    )
    assert taken.assignee == org.network
    approval = taken.history.get(action="ticket.scheduled_ahead")
    assert "approved by Lead" in approval.after and "Monday" in approval.after


def test_bulk_actions_report_each_ticket_and_never_reach_out_of_scope(org: Org, three) -> None:
    ticket_transition(
        three["soon"], actor=org.desk, version=None, to=TicketState.RESOLVED, note="ok"
    )
    result = tickets_bulk(
        [three["soon"].number, three["late"].number, "INC9999999"],
        actor=org.desk,
        action=BulkAction.CLOSE,
        note="Closing after the fix",
    )
    assert result.done == [three["soon"].number]
    assert [number for number, _ in result.refused] == [three["late"].number]
    assert result.not_found == ["INC9999999"]
    assert not three["late"].comments.exists()  # the refused ticket's note was rolled back
    assigned = tickets_bulk(
        [three["late"].number], actor=org.desk, action=BulkAction.ASSIGN, group=org.desk_group
    )
    assert assigned.summary == "1 done"
    with pytest.raises(TicketError):
        tickets_bulk([three["late"].number], actor=org.employee, action=BulkAction.ASSIGN)
