"""The justice network desk's shift reports: the numbers equal a count made here from the
tickets, the end-of-shift report reaches a real SMTP sink at its time on a business day and not
on a closed day, and it lists exactly the tickets over seven days old."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import DistributionList, Person
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.reports.errors import ReportError
from servicedesk.reports.models import ShiftKind, ShiftReportSchedule, ShiftReportSend
from servicedesk.reports.shift import shift_report_build
from servicedesk.reports.shift_services import (
    shift_report_note_save,
    shift_report_send_now,
    shift_reports_send_due,
)
from servicedesk.reports.tests.known_history import History, build_history
from servicedesk.sla.models import BusinessCalendar, CalendarClosure, TicketClock
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES

CHICAGO = ZoneInfo("America/Chicago")
OUTSIDE = "courts-it@justice.example"
NUMBER = re.compile(r"\b(?:INC|REQ|PRB|TASK)\d+\b")


def last_weekday_before(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def manager(org: Org) -> Person:
    return make_person("manager", Role.MANAGER, org.fiber)


@pytest.fixture
def end_of_shift(org: Org, manager: Person) -> ShiftReportSchedule:
    calendar = BusinessCalendar.objects.create(
        name="Justice network desk hours",
        time_zone="America/Chicago",
        weekly_hours={str(day): [["07:00", "17:00"]] for day in range(5)},
    )
    mailing = DistributionList.objects.create(
        name="Service Desk Report", outside_addresses=f"{OUTSIDE}\n"
    )
    mailing.members.add(org.desk, org.lead)
    return ShiftReportSchedule.objects.create(
        name="End-of-shift report",
        kind=ShiftKind.END_OF_SHIFT,
        send_at=time(17, 0),
        calendar=calendar,
        distribution_list=mailing,
        viewer=manager,
    )


@pytest.fixture
def history(org: Org) -> History:
    return build_history(org, count=50)


def business_day_at(hour: int, minute: int) -> datetime:
    day = last_weekday_before(datetime.now(CHICAGO).date())
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def old_open_numbers(now: datetime) -> set[str]:
    return {
        t.number
        for t in Ticket.objects.all()
        if t.state in OPEN_STATES and now - t.created_at >= timedelta(days=7)
    }


def test_the_report_equals_the_counts_made_from_the_tickets(
    history: History, end_of_shift: ShiftReportSchedule
) -> None:
    now = history.now
    report = shift_report_build(end_of_shift, now)
    start = now - timedelta(hours=24)
    assert report.period_start == start
    filed = Counter(t.channel for t in Ticket.objects.all() if start <= t.created_at < now)
    assert {v.channel: v.count for v in report.volumes if v.count} == dict(filed)
    assert report.total == sum(filed.values())
    assert report.emails == filed["email"] and report.voicemails == filed["voicemail"]
    assert report.total > 0, "the known history has tickets filed since the last report"
    assert [t.number for t in report.old_tickets] == sorted(
        old_open_numbers(now),
        key=lambda number: Ticket.objects.get(number=number).created_at,
    )
    breached = {
        (c.ticket_id, c.metric)
        for c in TicketClock.objects.all()
        if c.breached_at and start <= c.breached_at < now
    }
    assert {(c.ticket_id, c.metric) for c in report.breaches} == breached


def test_the_end_of_shift_report_arrives_at_its_time_on_a_business_day_only(
    history: History,
    end_of_shift: ShiftReportSchedule,
    org: Org,
    smtp_server: SmtpServer,
) -> None:
    before = business_day_at(16, 59)
    assert shift_reports_send_due(now=before) == []

    at_time = business_day_at(17, 1)
    [sent] = shift_reports_send_due(now=at_time)
    assert shift_reports_send_due(now=at_time + timedelta(minutes=5)) == []  # once a day
    deliver_all_due()
    addresses = {org.desk.email, org.lead.email, OUTSIDE}
    reports = [m for m in smtp_server.received if "End-of-shift" in str(m.message["Subject"])]
    assert sorted(m.envelope_to[0] for m in reports) == sorted(addresses)
    [mail] = smtp_server.to(OUTSIDE)
    listed = mail.text.split("TICKETS OVER 7 DAYS OLD")[1].split("Web version:")[0]
    assert set(NUMBER.findall(listed)) == old_open_numbers(at_time)
    assert old_open_numbers(at_time), "the known history has tickets over seven days old"
    assert f"/workspace/reports/shift/sent/{sent.key}/" in mail.text
    assert f"/workspace/reports/shift/sent/{sent.key}/" in mail.html
    assert "Voicemail" in mail.text and "E-mail" in mail.text
    assert sent.recipients and set(sent.recipients) == addresses

    # The next day is closed (a holiday): nothing goes, even well after the time.
    closed = last_weekday_before(at_time.date() + timedelta(days=8))
    CalendarClosure.objects.create(calendar=end_of_shift.calendar, date=closed, name="Holiday")
    end_of_shift.calendar.refresh_from_db()
    holiday = datetime.combine(closed, time(17, 30), tzinfo=CHICAGO)
    assert shift_reports_send_due(now=holiday) == []
    saturday = at_time + timedelta(days=(5 - at_time.weekday()) % 7 or 7)
    assert saturday.weekday() == 5
    assert shift_reports_send_due(now=saturday) == []
    assert ShiftReportSend.objects.count() == 1


def test_the_note_goes_once_and_the_next_report_counts_from_the_last(
    history: History, end_of_shift: ShiftReportSchedule, org: Org, manager: Person
) -> None:
    with pytest.raises(ReportError):
        shift_report_note_save(end_of_shift, actor=org.desk, note="Not mine to write")
    shift_report_note_save(end_of_shift, actor=org.lead, note="Court e-filing patched at 14:00")
    first = shift_report_send_now(end_of_shift, actor=manager, now=history.now)
    assert "Court e-filing patched at 14:00" in first.body_text
    later = history.now + timedelta(hours=14)
    end_of_shift.refresh_from_db()
    second = shift_report_send_now(end_of_shift, actor=manager, now=later)
    assert "Court e-filing patched" not in second.body_text
    assert second.period_start == first.period_end
    with pytest.raises(ReportError):
        shift_report_send_now(end_of_shift, actor=org.desk)


def test_preview_send_now_history_and_web_version_pages(
    history: History, end_of_shift: ShiftReportSchedule, org: Org, manager: Person, client: Client
) -> None:
    client.force_login(manager)
    preview = client.get(f"/workspace/reports/shift/{end_of_shift.pk}/preview/")
    assert preview.status_code == 200 and b"TICKETS OVER" not in preview.content
    assert b"Tickets over 7 days old" in preview.content
    sent = client.post(f"/workspace/reports/shift/{end_of_shift.pk}/send/", follow=True)
    assert sent.status_code == 200 and OUTSIDE.encode() in sent.content
    listing = client.get("/workspace/reports/shift/")
    assert OUTSIDE.encode() in listing.content

    # The report shows the manager's view: an agent of one agency may not read it.
    client.force_login(history.agency_agent)
    assert client.get(f"/workspace/reports/shift/{end_of_shift.pk}/preview/").status_code == 404
    key = ShiftReportSend.objects.get().key
    assert client.get(f"/workspace/reports/shift/sent/{key}/").status_code == 404
    # A staff recipient on the list reads the web version the mail links to.
    client.force_login(org.desk)
    assert client.get(f"/workspace/reports/shift/sent/{key}/").status_code == 200
