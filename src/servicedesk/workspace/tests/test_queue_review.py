"""The school district's odd-hour review of the uncategorized queue: the record, its banner, the
reminder to the L1 desk (once per slot, even with two workers) and who may do what. Fixed clocks:
"now" is passed to the services; the page tests use a round-the-clock desk."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org, make_person
from servicedesk.core.models import AppendOnlyError
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.notifications.models import Notification, NotificationPreference, OutboundEmail
from servicedesk.sla.models import BusinessCalendar
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_transition,
    ticket_update,
)
from servicedesk.workspace.errors import WorkspaceError
from servicedesk.workspace.models import (
    NewQueueReview,
    NewQueueReviewCheck,
    ReviewReminderOutcome,
)
from servicedesk.workspace.queue_review import (
    desk_clock,
    new_queue_review_record,
    new_queue_review_status,
)
from servicedesk.workspace.review_reminders import new_queue_review_remind

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = date(2025, 11, 17)


def chicago(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO)


def waiting_ticket(org: Org, text: str, arrived: datetime) -> Ticket:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=text)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=arrived)
    return ticket


@pytest.fixture
def office_hours(org: Org) -> BusinessCalendar:
    """The desk works Mon–Fri 07:00–17:00 Chicago: its members' location counts that calendar."""
    calendar = BusinessCalendar.objects.create(
        name="Office hours",
        time_zone="America/Chicago",
        weekly_hours={str(day): [["07:00", "17:00"]] for day in range(5)},
    )
    org.fiber.calendar = calendar
    org.fiber.save()
    return calendar


def reminders_to(person: Person) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=person, title__startswith="Review the uncategorized")
    )


# --- the record ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_review_records_who_when_how_many_waited_and_since_when(org: Org) -> None:
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    waiting_ticket(org, "VPN drops", chicago(9, 40))
    review = new_queue_review_record(org.desk, now=chicago(9, 58))
    assert (review.reviewer, review.reviewed_at, review.waiting) == (org.desk, chicago(9, 58), 2)
    assert review.oldest_waiting_since == chicago(8, 12)

    with pytest.raises(WorkspaceError) as refused:
        new_queue_review_record(org.employee)
    assert refused.value.code == "not_permitted"
    assert NewQueueReview.objects.count() == 1


@pytest.mark.django_db
def test_the_review_log_is_append_only(org: Org) -> None:
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    review = new_queue_review_record(org.desk, now=chicago(9, 58))
    review.waiting = 0
    with pytest.raises(AppendOnlyError):
        review.save()
    with pytest.raises(AppendOnlyError):
        review.delete()
    with pytest.raises(AppendOnlyError):
        NewQueueReview.objects.update(waiting=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workspace_newqueuereview SET waiting = 0")
    assert NewQueueReview.objects.get().waiting == 1


# --- the desk's clock and the banner ------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_counts_its_members_calendar_else_the_zone_round_the_clock(
    org: Org, office_hours: BusinessCalendar
) -> None:
    fallback = BusinessCalendar.objects.create(
        name=settings.SERVICEDESK_DEFAULT_CALENDAR,
        time_zone="America/Denver",
        weekly_hours={"0": [["08:00", "12:00"]]},
    )
    clock = desk_clock()
    assert (clock.zone.key, clock.calendar_name) == ("America/Chicago", "Office hours")
    org.fiber.calendar = None
    org.fiber.save()
    clock = desk_clock()
    assert (clock.zone.key, clock.calendar_name) == ("America/Denver", fallback.name)
    fallback.delete()
    clock = desk_clock()
    assert (clock.zone.key, clock.hours, clock.calendar_name) == ("America/Chicago", None, "")


@pytest.mark.django_db
def test_the_banner_warns_while_the_slot_has_no_review_then_names_the_last_one(
    org: Org, office_hours: BusinessCalendar
) -> None:
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    before = new_queue_review_status(now=chicago(11, 20))
    assert (before.overdue, before.due_text, before.last) == (True, "11:00", None)

    new_queue_review_record(org.desk, now=chicago(11, 25))
    after = new_queue_review_status(now=chicago(11, 30))
    assert (after.overdue, after.due_text, after.last_text) == (False, "13:00", "11:25")
    evening = new_queue_review_status(now=chicago(18))
    assert (evening.overdue, evening.due_text) == (False, "Tue 07:00")


# --- the reminder -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_is_reminded_once_per_odd_hour_slot_with_what_waits(
    org: Org, office_hours: BusinessCalendar
) -> None:
    quiet = make_person("quiet", Role.AGENT, org.fiber)
    org.desk_group.members.add(quiet)
    NotificationPreference.objects.create(person=quiet, email_sla_alerts=False)
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    waiting_ticket(org, "VPN drops", chicago(10, 40))

    check = new_queue_review_remind(now=chicago(11, 3))
    assert check is not None and check.outcome == ReviewReminderOutcome.REMINDED
    assert (check.slot, check.waiting, check.reminded) == (chicago(11), 2, 2)
    (notice,) = reminders_to(org.desk)
    assert notice.title == "Review the uncategorized queue: 2 waiting, oldest since 08:12"
    assert "/workspace/queues/uncategorized/" in notice.body
    assert len(reminders_to(quiet)) == 1 and reminders_to(org.network) == []
    mailed = OutboundEmail.objects.filter(subject__startswith="Review the uncategorized")
    assert [mail.to_address for mail in mailed] == [org.desk.email]  # quiet switched SLA mail off

    # The rest of the slot, whoever runs the job: nothing more.
    assert new_queue_review_remind(now=chicago(11, 8)) is None
    assert new_queue_review_remind(now=chicago(12, 59)) is None
    assert len(reminders_to(org.desk)) == 1


@pytest.mark.django_db
def test_no_reminder_after_a_review_in_the_slot_on_an_empty_queue_or_after_hours(
    org: Org, office_hours: BusinessCalendar
) -> None:
    ticket = waiting_ticket(org, "Printer jams", chicago(8, 12))
    new_queue_review_record(org.desk, now=chicago(13, 1))
    reviewed = new_queue_review_remind(now=chicago(13, 5))
    assert reviewed is not None and reviewed.outcome == ReviewReminderOutcome.REVIEWED

    assert new_queue_review_remind(now=chicago(17, 30)) is None  # closed: no slot
    assert new_queue_review_remind(now=chicago(8, 30, MONDAY + timedelta(days=5))) is None

    # Categorized: out of the review (being worked is not enough).
    Ticket.objects.filter(pk=ticket.pk).update(
        category=Category.objects.create(number=1, name="Break fix")
    )
    empty = new_queue_review_remind(now=chicago(15, 2))
    assert empty is not None and empty.outcome == ReviewReminderOutcome.EMPTY
    assert reminders_to(org.desk) == []


@pytest.mark.django_db
def test_each_desk_member_hears_of_the_tickets_they_may_see(org: Org) -> None:
    """A second desk serving only another agency sees none of these: it is not told."""
    other_desk = SupportGroup.objects.create(name="DHS desk", tier=Tier.SERVICE_DESK)
    other_desk.agencies.add(org.other_agency)
    dhs_agent = make_person("dhsagent", Role.AGENT, org.fiber)
    other_desk.members.add(dhs_agent)
    waiting_ticket(org, "Printer jams", chicago(8, 12))

    check = new_queue_review_remind(now=chicago(11, 3))
    assert check is not None and check.reminded == 1
    assert len(reminders_to(org.desk)) == 1 and reminders_to(dhs_agent) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remind_the_desk_once(org: Org) -> None:
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    barrier = threading.Barrier(2)
    results: list[NewQueueReviewCheck | None] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(new_queue_review_remind(now=chicago(11, 3)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False, True]
    assert NewQueueReviewCheck.objects.count() == 1
    assert len(reminders_to(org.desk)) == 1
    assert OutboundEmail.objects.filter(to_address=org.desk.email).count() == 1


# --- the page -----------------------------------------------------------------------------------


def as_user(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client


@pytest.mark.django_db
def test_the_new_queue_shows_the_banner_and_mark_reviewed_records_it(
    org: Org, client: Client
) -> None:
    """No calendar reachable: the desk's zone round the clock, so a slot is always open."""
    waiting_ticket(org, "Printer jams", chicago(8, 12))
    as_user(client, org.desk)
    page = client.get("/workspace/queues/uncategorized/").content.decode()
    assert 'data-testid="new-queue-review"' in page and "alert-warning" in page
    assert "Review due at" in page and "not done yet" in page and "never reviewed yet" in page
    assert "Mark queue reviewed" in page
    assert "Mark queue reviewed" not in client.get("/workspace/queues/my-open/").content.decode()

    response = client.post("/workspace/queues/uncategorized/reviewed/")
    assert (
        response.status_code == 302 and response["Location"] == "/workspace/queues/uncategorized/"
    )
    review = NewQueueReview.objects.get()
    assert (review.reviewer, review.waiting) == (org.desk, 1)
    page = client.get("/workspace/queues/uncategorized/").content.decode()
    local = review.reviewed_at.astimezone(CHICAGO)
    assert f">{local:%H:%M}</time> by Desk (1 waiting)" in page
    assert "not done yet" not in page and "alert-warning" not in page
    assert "Marked the queue reviewed: 1 waiting." in page


@pytest.mark.django_db
def test_only_staff_mark_the_queue_reviewed_and_only_by_post(org: Org, client: Client) -> None:
    assert client.post("/workspace/queues/uncategorized/reviewed/").status_code == 302  # to sign in
    as_user(client, org.employee)
    assert client.post("/workspace/queues/uncategorized/reviewed/").status_code == 404
    as_user(client, org.desk)
    assert client.get("/workspace/queues/uncategorized/reviewed/").status_code == 405
    assert not NewQueueReview.objects.exists()


@pytest.mark.django_db
def test_the_admin_lists_the_log_read_only(org: Org, client: Client) -> None:
    review = new_queue_review_record(org.desk, now=chicago(9, 58))
    admin = Person.objects.create_superuser("root", "root@example.org", "x", role=Role.ADMIN)
    as_user(client, admin)
    listing = client.get("/admin/workspace/newqueuereview/")
    assert listing.status_code == 200 and "Desk" in listing.content.decode()
    assert client.get("/admin/workspace/newqueuereview/add/").status_code == 403
    delete_url = f"/admin/workspace/newqueuereview/{review.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert NewQueueReview.objects.filter(pk=review.pk).exists()


@pytest.mark.django_db
def test_an_assigned_uncategorized_ticket_stays_in_the_review(
    org: Org, office_hours: BusinessCalendar
) -> None:
    """The review looks at what has no category, whatever its state or group: a ticket assigned
    (or already worked) before anyone categorized it still waits for the review."""
    assigned = waiting_ticket(org, "Printer jams", chicago(8, 12))
    ticket_assign(assigned, actor=org.desk, version=None, group=org.network_group)
    working = waiting_ticket(org, "VPN drops", chicago(8, 30))
    ticket_assign(working, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    ticket_transition(working, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    categorized = waiting_ticket(org, "Toner", chicago(9))
    ticket_update(
        categorized,
        actor=org.desk,
        version=None,
        changes={"category": Category.objects.create(number=1, name="Break fix")},
    )
    assert Ticket.objects.get(pk=assigned.pk).state == TicketState.ASSIGNED

    check = new_queue_review_remind(now=chicago(11, 3))
    assert check is not None and check.outcome == ReviewReminderOutcome.REMINDED
    assert (check.waiting, check.oldest_waiting_since) == (2, chicago(8, 12))
    listed = queue_tickets(org.desk, Queue.UNCATEGORIZED).values_list("pk", flat=True)
    assert set(listed) == {assigned.pk, working.pk}
    assert new_queue_review_record(org.desk, now=chicago(11, 5)).waiting == 2
