"""Re-planning a calendar's open clocks in short batches, as the state agency's desk needs when
a snow day is added to a calendar a million clocks count on."""

import threading
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from servicedesk.conftest import Org
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla import replan
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import BusinessCalendar, CalendarClosure, SlaRule, TicketClock
from servicedesk.sla.replan import calendar_replan
from servicedesk.sla.tasks import calendar_replan_soon, replan_calendar
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import QueueOrder, Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition
from servicedesk.tickets.services.lifecycle import locked

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = {str(day): [["07:00", "17:00"]] for day in range(5)}


@pytest.fixture
def district(db: None) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(
        name="District", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=10,
        name="Everything: 2 business days",
        target_kind=TargetKind.BUSINESS_DAYS,
        days=2,
        calendar=calendar,
    )
    return calendar


def file_tickets(org: Org, count: int) -> dict[int, Any]:
    """File `count` tickets; their resolution clocks' due times by clock id."""
    for n in range(count):
        ticket_create(
            actor=org.desk,
            requester=org.employee,
            kind=TicketKind.INCIDENT,
            channel=Channel.PHONE,
            short_description=f"Projector {n}",
        )
    return dict(TicketClock.objects.filter(metric=Metric.RESOLUTION).values_list("pk", "due_at"))


def close_on_due_day(calendar: BusinessCalendar, due: dict[int, Any]) -> None:
    """A snow day on the day the clocks fall due: every one of them moves."""
    days = {at.astimezone(CHICAGO).date() for at in due.values()}
    for day in days:
        CalendarClosure.objects.create(calendar=calendar, date=day, name="Snow day")


def test_small_batches_replan_every_clock_and_write_only_those_that_moved(
    district: BusinessCalendar, org: Org, django_assert_num_queries: Any
) -> None:
    due = file_tickets(org, 7)
    close_on_due_day(district, due)
    # The calendar, its closures and earlier hours (3; kept while the calendar is unchanged),
    # then on PostgreSQL the first and last open clock's id (1) and a batch of 3 clocks: the
    # rows read unlocked and one guarded UPDATE (2), three batches, the last one short; on
    # SQLite a batch is its ids, a savepoint, the rows, one UPDATE, the release (5), three
    # batches and the empty page after them (1).
    postgresql = connection.vendor == "postgresql"
    writes = 1  # the statements of a batch that writes
    per_batch = 1 + writes if postgresql else 4 + writes
    with django_assert_num_queries(3 + per_batch * 3 + 1):
        report = calendar_replan(district, batch_size=3)
    assert (report.examined, report.written, report.batches, report.retried) == (7, 7, 3, 0)
    moved = dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at"))
    assert all(moved[pk] > due[pk] for pk in due)
    # Nothing changed since: every clock is looked at, none is written (no write in a batch),
    # and the calendar's engine is the one built the first time (the calendar alone, 1).
    with django_assert_num_queries(1 + (per_batch - writes) * 3 + 1):
        again = calendar_replan(district, batch_size=3)
    assert (again.examined, again.written) == (7, 0)
    assert dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at")) == moved


def test_a_closure_after_every_due_time_writes_nothing(
    district: BusinessCalendar, org: Org
) -> None:
    due = file_tickets(org, 3)
    later = max(due.values()).astimezone(CHICAGO).date() + timedelta(days=30)
    CalendarClosure.objects.create(calendar=district, date=later, name="Founders' day")
    report = calendar_replan(district, batch_size=2)
    assert (report.examined, report.written) == (3, 0)


def test_tickets_carry_their_clocks_due_times_after_a_replan_and_later_writes_alike(
    district: BusinessCalendar, org: Org
) -> None:
    # The re-plan copies the due times beside the tickets itself and tells the clocks' trigger to
    # stay still meanwhile; a small calendar is re-planned within the admin's own transaction,
    # which may write clocks after it: the trigger must be back by then.
    due = file_tickets(org, 3)
    close_on_due_day(district, due)
    with transaction.atomic():
        calendar_replan(district)
        rows = TicketClock.objects.filter(pk__in=due).values_list("pk", "ticket_id", "due_at")
        assert all(at > due[pk] for pk, _, at in rows)  # every clock moved
        tickets = Ticket.objects.filter(clocks__pk__in=due).values_list(
            "pk", "queue_order__resolution_due_at"
        )
        assert dict(tickets) == {ticket: at for _, ticket, at in rows}
        first, ticket_id, at = min(rows)
        assert at is not None
        later = at + timedelta(hours=1)
        TicketClock.objects.filter(pk=first).update(due_at=later)
        assert QueueOrder.objects.get(ticket_id=ticket_id).resolution_due_at == later


def test_a_large_calendar_is_replanned_by_a_background_task(
    district: BusinessCalendar,
    org: Org,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    due = file_tickets(org, 3)
    close_on_due_day(district, due)
    monkeypatch.setattr(replan, "REPLAN_IN_REQUEST", 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert calendar_replan_soon(district) is None
    queued = DBTaskResult.objects.get(task_path=replan_calendar.module_path)
    assert queued.args_kwargs["args"] == [district.pk]
    # Untouched until the worker runs it.
    assert dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at")) == due
    assert replan_calendar.call(district.pk)["written"] == 3
    moved = dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at"))
    assert all(moved[pk] > due[pk] for pk in due)


def test_a_small_calendar_is_replanned_at_once(district: BusinessCalendar, org: Org) -> None:
    due = file_tickets(org, 2)
    close_on_due_day(district, due)
    report = calendar_replan_soon(district)
    assert report is not None and report.written == 2


@pytest.mark.django_db(transaction=True)
def test_a_clock_an_agents_save_holds_is_not_waited_on_and_is_replanned_after(
    district: BusinessCalendar, org: Org
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database per write")
    due = file_tickets(org, 5)
    close_on_due_day(district, due)
    held = sorted(due)[2]
    settings = connection.settings_dict
    agent = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    try:
        # The agent's save: the clock row locked in an open transaction for a second.
        agent.execute("SELECT id FROM sla_ticketclock WHERE id = %s FOR UPDATE", [held])
        release = threading.Timer(1.0, agent.commit)
        release.start()
        report = calendar_replan(district, batch_size=2)
        release.join()
    finally:
        agent.close()
    assert report.retried == 1 and report.examined == 5 and report.written == 5
    # The batches never waited on the agent's lock: each took far less than the second it held.
    assert report.longest_batch_s < 0.5
    moved = dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at"))
    assert all(moved[pk] > due[pk] for pk in due)


@pytest.mark.django_db(transaction=True)
def test_an_agents_save_holding_its_ticket_neither_waits_on_nor_deadlocks_with_the_replan(
    district: BusinessCalendar, org: Org
) -> None:
    """An agent's save locks the ticket, then its clocks; the re-plan writes the clock and
    the ticket's copy of its due time. It must skip the held ticket rather than wait for it,
    and re-plan its clock once the save is in."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database per write")
    due = file_tickets(org, 5)
    close_on_due_day(district, due)
    held_clock = sorted(due)[2]
    ticket = TicketClock.objects.get(pk=held_clock).ticket
    holding, resume = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def agent_saves() -> None:
        try:
            with transaction.atomic():
                locked(ticket, None)  # the save's first act: the ticket row, locked
                holding.set()
                resume.wait(5)
                # The rest of the save: the state change locks and writes the ticket's clocks.
                ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
        except BaseException as failure:  # a deadlock the database broke shows here
            failures.append(failure)
        finally:
            connection.close()

    agent = threading.Thread(target=agent_saves)
    agent.start()
    assert holding.wait(5)
    # The save goes on a second after the re-plan's batches have begun.
    threading.Timer(1.0, resume.set).start()
    try:
        report = calendar_replan(district, batch_size=2)
    finally:
        resume.set()
        agent.join(10)
    assert failures == []
    ticket.refresh_from_db()
    assert ticket.state == TicketState.IN_PROGRESS  # the agent's save went in
    # The batches never waited on the agent: each took far less than the second it held.
    assert report.longest_batch_s < 0.5
    # The held clock is looked at again after the save; the save itself, begun after the snow
    # day was added, planned it on the new calendar: four written by the re-plan.
    assert (report.retried, report.examined, report.written) == (1, 5, 4)
    # Every clock moved, the held one too, and every ticket's copy follows its clock.
    clocks = TicketClock.objects.filter(pk__in=due)
    assert all(row.due_at > due[row.pk] for row in clocks)
    copies = dict(
        Ticket.objects.filter(clocks__pk__in=due).values_list(
            "pk", "queue_order__resolution_due_at"
        )
    )
    assert copies == {row.ticket_id: row.due_at for row in clocks}


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_large_calendar_and_write_in_short_statements(
    district: BusinessCalendar, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the workers are PostgreSQL's; SQLite writes one batch at a time")
    due = file_tickets(org, 9)
    close_on_due_day(district, due)
    monkeypatch.setattr(replan, "PARALLEL_FROM", 0)  # nine clocks count as a large calendar
    used = []
    walk = replan._walk

    def watched(*args: Any) -> Any:
        used.append(threading.current_thread().name)
        return walk(*args)

    monkeypatch.setattr(replan, "_walk", watched)
    report = calendar_replan(district, batch_size=3, write_size=2, workers=2)
    assert len(used) == 2 and all(name.startswith("replan") for name in used)
    assert (report.examined, report.written, report.retried) == (9, 9, 0)
    # Each worker's batches of three are written two clocks an UPDATE.
    assert report.batches >= 4 and len(report.writes_s) >= 6
    moved = dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at"))
    assert all(moved[pk] > due[pk] for pk in due)
    again = calendar_replan(district, batch_size=3, write_size=2, workers=2)
    assert (again.examined, again.written) == (9, 0)


def test_the_admin_says_a_large_calendars_replan_was_started(
    district: BusinessCalendar, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.sla.tests.test_calendar_admin import change

    due = file_tickets(org, 3)
    monkeypatch.setattr(replan, "REPLAN_IN_REQUEST", 2)
    admin = Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    day = min(due.values()).astimezone(CHICAGO).date()
    response = change(
        client,
        district,
        **{
            "closures-TOTAL_FORMS": "1",
            "closures-0-date": day.isoformat(),
            "closures-0-name": "Snow",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "was started in the background" in page
    # The clocks move when the worker runs the task, not in the admin's request.
    assert dict(TicketClock.objects.filter(pk__in=due).values_list("pk", "due_at")) == due
