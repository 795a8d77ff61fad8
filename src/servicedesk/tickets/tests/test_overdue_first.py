"""The school district's discipline, one guard for every way a ticket reaches an agent: scheduled
work waits behind overdue work in its group unless a supervisor — the service lead or the lead of
the ticket's group — approves with a reason, which history keeps and the queue shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.tickets.services import (
    BulkAction,
    ticket_assign,
    ticket_create,
    ticket_take,
    ticket_transition,
    tickets_bulk,
)

APPROVAL = "approval_reason"


@pytest.fixture
def tech(org: Org) -> Person:
    """An agent of the network group who does not lead it."""
    person = make_person("tech", Role.AGENT, org.fiber)
    org.network_group.members.add(person)
    return person


def _file(org: Org, text: str, category: Category | None = None) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description=text,
        category=category,
        assignment_group=org.network_group,
    )


@pytest.fixture
def overdue(org: Org) -> Ticket:
    late = _file(org, "Switch down in closet B")
    TicketClock.objects.filter(ticket=late, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(hours=1)
    )
    return late


@pytest.fixture
def projects() -> Category:
    # Any name: the flag, not the name, makes it scheduled work.
    return Category.objects.create(number=5, name="Projects", is_scheduled_work=True)


@pytest.fixture
def scheduled(org: Org, projects: Category) -> Ticket:
    return _file(org, "Replace the lab's projectors", projects)


def _refused(call, *args, **kwargs) -> TicketError:
    with pytest.raises(TicketError) as refused:
        call(*args, **kwargs)
    return refused.value


def test_an_agents_plain_assign_of_scheduled_work_asks_for_approval(
    org: Org, tech: Person, overdue: Ticket, scheduled: Ticket
) -> None:
    refusal = _refused(
        ticket_assign, scheduled, actor=tech, version=None, group=None, assignee=tech
    )
    assert refusal.code == TicketErrorCode.APPROVAL_REQUIRED and refusal.field == APPROVAL
    assert "1 overdue ticket wait" in refusal.message and "Network" in refusal.message
    # Their own reason is no approval either.
    refusal = _refused(
        ticket_take, scheduled, actor=tech, version=None, approval_reason="I have time"
    )
    assert refusal.code == TicketErrorCode.APPROVAL_REQUIRED
    assert Ticket.objects.get(pk=scheduled.pk).assignee is None


def test_the_group_lead_approves_with_a_reason_and_history_and_queue_show_it(
    org: Org, tech: Person, overdue: Ticket, scheduled: Ticket
) -> None:
    # org.network leads the network group (an agent by role, a supervisor of this group).
    refusal = _refused(
        ticket_assign, scheduled, actor=org.network, version=None, group=None, assignee=tech
    )
    assert refusal.code == TicketErrorCode.NOTE_REQUIRED and refusal.field == APPROVAL
    assigned = ticket_assign(
        scheduled,
        actor=org.network,
        version=None,
        group=None,
        assignee=tech,
        approval_reason="Lab must be ready for Monday's exams",
    )
    assert assigned.assignee == tech
    approval = assigned.history.get(action="ticket.scheduled_ahead")
    assert approval.actor == org.network
    assert approval.after == "approved by Network for Tech: Lab must be ready for Monday's exams"
    row = queue_tickets(org.network, Queue.MY_GROUPS).get(pk=scheduled.pk)
    assert row.ahead_approval == approval.after  # type: ignore[attr-defined]
    # Approved once: starting the work asks nothing more.
    ticket_transition(assigned, actor=tech, version=None, to=TicketState.IN_PROGRESS)


def test_the_service_lead_approves_but_another_groups_lead_cannot(
    org: Org, tech: Person, overdue: Ticket, scheduled: Ticket
) -> None:
    other_lead = make_person("otherlead", Role.GROUP_LEAD, org.fiber)
    org.desk_group.lead = other_lead
    org.desk_group.save()
    refusal = _refused(
        ticket_assign,
        scheduled,
        actor=other_lead,
        version=None,
        group=None,
        assignee=tech,
        approval_reason="Looks urgent",
    )
    assert refusal.code == TicketErrorCode.APPROVAL_REQUIRED
    ticket_take(
        scheduled, actor=org.lead, version=None, assignee=tech, approval_reason="Board asked"
    )
    assert Ticket.objects.get(pk=scheduled.pk).assignee == tech


def test_bulk_assign_refuses_scheduled_work_and_lets_the_rest_through(
    org: Org, tech: Person, overdue: Ticket, scheduled: Ticket
) -> None:
    plain = _file(org, "Mouse broken")
    result = tickets_bulk(
        [scheduled.number, plain.number], actor=tech, action=BulkAction.ASSIGN, assignee=tech
    )
    assert result.done == [plain.number]
    ((number, why),) = result.refused
    assert number == scheduled.number and "supervisor" in why
    approved = tickets_bulk(
        [scheduled.number],
        actor=org.network,
        action=BulkAction.ASSIGN,
        assignee=tech,
        approval_reason="Exams on Monday",
    )
    assert approved.done == [scheduled.number]


def test_a_state_change_that_puts_scheduled_work_to_work_is_guarded(
    org: Org, tech: Person, projects: Category, scheduled: Ticket
) -> None:
    # Assigned while nothing was overdue; then a ticket goes overdue and the agent starts work.
    ticket_assign(scheduled, actor=tech, version=None, group=None, assignee=tech)
    late = _file(org, "Switch down in closet B")
    TicketClock.objects.filter(ticket=late, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(minutes=5)
    )
    refusal = _refused(
        ticket_transition, scheduled, actor=tech, version=None, to=TicketState.IN_PROGRESS
    )
    assert refusal.code == TicketErrorCode.APPROVAL_REQUIRED
    ticket_transition(
        scheduled,
        actor=org.network,
        version=None,
        to=TicketState.IN_PROGRESS,
        approval_reason="Vendor on site today only",
    )
    assert Ticket.objects.get(pk=scheduled.pk).state == TicketState.IN_PROGRESS


def test_no_overdue_work_or_no_scheduled_work_needs_no_approval(
    org: Org, tech: Person, overdue: Ticket, scheduled: Ticket
) -> None:
    plain = _file(org, "Mouse broken")
    assert ticket_take(plain, actor=tech, version=None).assignee == tech
    TicketClock.objects.filter(ticket=overdue).update(state=ClockState.COMPLETED)
    assert ticket_take(scheduled, actor=tech, version=None).assignee == tech
    assert not scheduled.history.filter(action="ticket.scheduled_ahead").exists()


def test_filing_scheduled_work_straight_to_a_person_is_guarded_too(
    org: Org, tech: Person, overdue: Ticket, projects: Category
) -> None:
    fields: dict[str, Any] = {
        "requester": org.employee,
        "kind": TicketKind.REQUEST,
        "short_description": "Lab upgrade",
        "category": projects,
        "assignment_group": org.network_group,
        "assignee": tech,
    }
    refusal = _refused(ticket_create, actor=tech, **fields)
    assert refusal.code == TicketErrorCode.APPROVAL_REQUIRED
    filed = ticket_create(actor=org.network, approval_reason="Exams on Monday", **fields)
    assert filed.history.filter(action="ticket.scheduled_ahead").count() == 1
