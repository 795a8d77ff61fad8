"""Scheduled maintenance (the school district's SLA procedure): a planned date with history, and a
weekly reminder to the assignee when a week passes without a status note; bulk "link to a
parent"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org
from servicedesk.notifications.models import Notification, OutboundEmail
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Comment, Ticket, TicketLink
from servicedesk.tickets.scheduled_work import is_scheduled_work
from servicedesk.tickets.selectors import open_children
from servicedesk.tickets.services import (
    BulkAction,
    comment_add,
    scheduled_follow_ups_remind,
    ticket_create,
    ticket_plan,
    ticket_transition,
    tickets_bulk,
)

pytestmark = pytest.mark.django_db

# A fixed clock: "now" is passed in, as days after the moment the test's tickets were filed
# (their history is append-only, so the test moves the clock rather than the rows).
START = timezone.now()


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def _scheduled(org: Org, text: str = "Upgrade the lab's projectors") -> Ticket:
    category, _ = Category.objects.get_or_create(
        number=5, name="Scheduled maintenance", defaults={"is_scheduled_work": True}
    )
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description=text,
        category=category,
        assignment_group=org.network_group,
        assignee=org.network,
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at(0))
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def scheduled(org: Org) -> Ticket:
    global START
    START = timezone.now()
    return _scheduled(org)


def reminders(ticket: Ticket) -> list[Notification]:
    return list(Notification.objects.filter(ticket=ticket, title__contains="weekly status note"))


def test_the_planned_date_is_set_with_history_and_only_on_scheduled_work(org: Org, scheduled):
    planned = ticket_plan(scheduled, actor=org.network, version=None, planned_for=date(2025, 4, 7))
    assert planned.planned_for == date(2025, 4, 7)
    entry = planned.history.get(field="planned_for")
    assert (entry.before, entry.after, entry.actor) == ("", "2025-04-07", org.network)
    with pytest.raises(TicketError) as stale:
        ticket_plan(scheduled, actor=org.network, version=scheduled.version, planned_for=None)
    assert stale.value.code == "stale_version"

    ordinary = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer jams"
    )
    with pytest.raises(TicketError) as refused:
        ticket_plan(ordinary, actor=org.desk, version=None, planned_for=date(2025, 4, 7))
    assert refused.value.field == "planned_for"
    with pytest.raises(TicketError):
        ticket_plan(scheduled, actor=org.employee, version=None, planned_for=None)


def test_a_quiet_week_reminds_the_assignee_once_in_app_and_by_mail(org: Org, scheduled) -> None:
    assert scheduled_follow_ups_remind(now=at(6.9)) == []
    sent = scheduled_follow_ups_remind(now=at(7.01))
    assert [reminder.number for reminder in sent] == [scheduled.number]
    (notice,) = reminders(scheduled)
    assert notice.recipient == org.network and "7 days" in notice.body
    assert OutboundEmail.objects.filter(ticket=scheduled, to_address=org.network.email).count() == 1
    # Run again the same hour, or the next day, by another worker: nothing more.
    assert scheduled_follow_ups_remind(now=at(7.01)) == []
    assert scheduled_follow_ups_remind(now=at(8)) == []
    # A week after the reminder with still no note: reminded again.
    assert len(scheduled_follow_ups_remind(now=at(14.02))) == 1
    assert len(reminders(scheduled)) == 2
    assert scheduled.history.filter(action="ticket.follow_up_reminder").count() == 2


@pytest.mark.parametrize("internal", [True, False])
def test_a_staff_note_restarts_the_week(org: Org, scheduled, internal: bool) -> None:
    comment_add(scheduled, actor=org.network, body="Projectors ordered", internal=internal)
    Comment.objects.filter(ticket=scheduled).update(created_at=at(5))
    assert scheduled_follow_ups_remind(now=at(10)) == []
    assert len(scheduled_follow_ups_remind(now=at(12.01))) == 1


def test_a_requesters_reply_is_not_a_status_note(org: Org, scheduled) -> None:
    comment_add(scheduled, actor=org.employee, body="Any news?")
    Comment.objects.filter(ticket=scheduled).update(created_at=at(6))
    assert len(scheduled_follow_ups_remind(now=at(7.01))) == 1


def test_a_state_change_restarts_the_week(org: Org, scheduled) -> None:
    Ticket.objects.filter(pk=scheduled.pk).update(created_at=at(-10))
    ticket_transition(scheduled, actor=org.network, version=None, to=TicketState.AWAITING_VENDOR)
    assert scheduled_follow_ups_remind(now=at(3)) == []
    assert len(scheduled_follow_ups_remind(now=at(7.01))) == 1


def test_unassigned_closed_or_unscheduled_tickets_are_not_reminded(org: Org, scheduled) -> None:
    ticket_transition(
        scheduled, actor=org.network, version=None, to=TicketState.CANCELLED, note="x"
    )
    plain = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Not scheduled",
        assignment_group=org.network_group,
        assignee=org.network,
    )
    Ticket.objects.filter(pk=plain.pk).update(created_at=at(0))
    assert scheduled_follow_ups_remind(now=at(30)) == []


def test_bulk_link_to_a_parent_reports_each_ticket(org: Org) -> None:
    def incident(text: str) -> Ticket:
        return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=text)

    parent, first, second = incident("Outage"), incident("Me too"), incident("Same here")
    result = tickets_bulk(
        [first.number, second.number, parent.number, "INC9999999"],
        actor=org.desk,
        action=BulkAction.LINK_PARENT,
        parent_number=parent.number.lower(),
    )
    assert result.done == [first.number, second.number]
    assert result.refused == [(parent.number, "A ticket cannot be its own parent.")]
    assert result.not_found == ["INC9999999"]
    assert set(open_children(parent)) == {first, second}
    assert TicketLink.objects.filter(target=parent, kind=LinkKind.CHILD_OF).count() == 2

    again = tickets_bulk(
        [first.number], actor=org.desk, action=BulkAction.LINK_PARENT, parent_number=parent.number
    )
    assert again.done == [] and "already" in again.refused[0][1]
    backwards = tickets_bulk(
        [parent.number], actor=org.desk, action=BulkAction.LINK_PARENT, parent_number=first.number
    )
    assert "already a child" in backwards.refused[0][1]


def test_bulk_link_to_a_parent_nobody_can_see_changes_nothing(org: Org) -> None:
    mine = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Mine")
    with pytest.raises(TicketError) as refused:
        tickets_bulk(
            [mine.number], actor=org.desk, action=BulkAction.LINK_PARENT, parent_number="INC9999999"
        )
    assert refused.value.message == "No ticket INC9999999."
    with pytest.raises(TicketError):
        tickets_bulk([mine.number], actor=org.desk, action=BulkAction.LINK_PARENT, parent_number="")
    assert not TicketLink.objects.exists()


def test_renaming_the_scheduled_work_category_changes_nothing(org: Org, scheduled) -> None:
    """Scheduled work is a flag on the category: its name plays no part."""
    Category.objects.filter(pk=scheduled.category_id).update(name="Projects and upgrades")
    renamed = Ticket.objects.select_related("category").get(pk=scheduled.pk)
    assert is_scheduled_work(renamed)
    planned = ticket_plan(renamed, actor=org.network, version=None, planned_for=date(2025, 4, 7))
    assert planned.planned_for == date(2025, 4, 7)
    assert [r.number for r in scheduled_follow_ups_remind(now=at(7.01))] == [scheduled.number]
    # And a category merely *named* "Scheduled maintenance" is not scheduled work.
    lookalike = Category.objects.create(number=9, name="Scheduled maintenance")
    ordinary = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Looks scheduled",
        category=lookalike,
    )
    assert not is_scheduled_work(ordinary)
    with pytest.raises(TicketError):
        ticket_plan(ordinary, actor=org.desk, version=None, planned_for=date(2025, 4, 7))
