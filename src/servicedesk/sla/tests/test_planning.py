"""Holiday import, re-planning after a calendar edit, and the simulator, as an admin uses them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import BusinessCalendar, CalendarClosure, SlaRule, TicketClock
from servicedesk.sla.planning import HolidayImportError, calendar_replan, holidays_apply
from servicedesk.sla.simulator import simulate

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = {str(day): [["07:00", "17:00"]] for day in range(5)}


@pytest.fixture
def district(db: None) -> BusinessCalendar:
    return BusinessCalendar.objects.create(
        name="District", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )


def test_holidays_are_copied_with_their_source_and_own_days_kept(district) -> None:
    CalendarClosure.objects.create(
        calendar=district, date=date(2025, 7, 4), name="Our picnic", open_intervals=[]
    )
    result = holidays_apply(district, country="us", subdivision="ok", years=[2025])
    juneteenth = district.closures.get(date=date(2025, 6, 19))
    assert juneteenth.source.startswith("holidays ") and juneteenth.source.endswith("US/OK")
    assert district.closures.get(date=date(2025, 7, 4)).name == "Our picnic"
    assert result.kept == 1 and result.added >= 10
    again = holidays_apply(district, country="US", subdivision="OK", years=[2025])
    assert again.added == 0


def test_an_unknown_country_is_named_in_the_error(district) -> None:
    with pytest.raises(HolidayImportError, match="“XX”"):
        holidays_apply(district, country="XX", subdivision="", years=[2025])


def test_adding_a_holiday_moves_open_due_dates(district, org) -> None:
    from servicedesk.tickets.choices import Channel, TicketKind
    from servicedesk.tickets.services import ticket_create

    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=10,
        name="Everything: 1 business day",
        target_kind=TargetKind.BUSINESS_DAYS,
        days=1,
        calendar=district,
    )
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Projector",
    )
    restore = TicketClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)
    due = restore.due_at
    assert due is not None
    due_day = due.astimezone(CHICAGO).date()
    CalendarClosure.objects.create(calendar=district, date=due_day, name="Snow day")
    assert calendar_replan(district).examined == 1
    restore.refresh_from_db()
    assert restore.due_at is not None and restore.due_at > due
    assert restore.due_at.astimezone(CHICAGO).date() > due_day


def test_the_simulator_explains_example_14(district) -> None:
    eonbd = SlaRule(target_kind=TargetKind.END_OF_NEXT_BUSINESS_DAY, days=1)
    start = datetime(2025, 6, 9, 10, 0, tzinfo=CHICAGO)
    pause = (
        datetime(2025, 6, 9, 12, 0, tzinfo=CHICAGO),
        datetime(2025, 6, 9, 14, 0, tzinfo=CHICAGO),
    )
    result = simulate(district, eonbd, start, [pause])
    assert result.due_at == datetime(2025, 6, 11, 9, 0, tzinfo=CHICAGO)
    assert result.summary.startswith("counted Mon–Fri 07:00–17:00 America/Chicago; paused 2 h")
    assert any("paused" in line for line in result.timeline)


@pytest.fixture
def admin_client(district) -> Client:
    admin = Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    return client


def test_an_admin_imports_holidays_and_simulates_in_the_browser(admin_client, district) -> None:
    url = f"/admin/sla/businesscalendar/{district.pk}/holidays/"
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(url, {"country": "ZZ", "first_year": 2025, "last_year": 2025})
    assert "is not a country the holidays package knows" in bad.content.decode()
    asked = {"country": "US", "subdivision": "OK", "first_year": 2025, "last_year": 2026}
    offered = admin_client.post(url, {**asked, "preview": "1"}).content.decode()
    assert "Thanksgiving Day — Thu 27 Nov 2025, Thu 26 Nov 2026" in offered
    done = admin_client.post(
        url, {**asked, "keep": "1", "names": ["Thanksgiving Day", "Christmas Day"]}, follow=True
    )
    assert "Added" in done.content.decode()
    assert district.closures.filter(date=date(2026, 11, 26)).exists()
    assert set(district.closures.values_list("name", flat=True)) == {
        "Thanksgiving Day",
        "Christmas Day",
    }
    page = admin_client.post(
        "/admin/sla/businesscalendar/simulator/",
        {
            "calendar": district.pk,
            "target_kind": TargetKind.DURATION,
            "minutes": 240,
            "start": "2025-06-13T15:30",
            "pauses": "",
        },
    )
    text = page.content.decode()
    assert 'data-testid="due"' in text
    assert "Mon 16 Jun 2025 09:30 CDT" in text
    refused = admin_client.post(
        "/admin/sla/businesscalendar/simulator/",
        {
            "calendar": district.pk,
            "target_kind": TargetKind.DURATION,
            "minutes": 240,
            "start": "2025-06-13T15:30",
            "pauses": "yesterday",
        },
    )
    assert "Pause line 1 should read" in refused.content.decode()


def test_changing_the_hours_keeps_the_old_hours_for_earlier_days(admin_client, district) -> None:
    from servicedesk.sla.calendars import engine_calendar

    response = admin_client.post(
        f"/admin/sla/businesscalendar/{district.pk}/change/",
        {
            "name": "District",
            "time_zone": "America/Chicago",
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday"), "08:00–16:00"),
            "friday": "8:00-16:00",
            "hours_take_effect_on": "2025-06-16",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
            "earlier_hours-TOTAL_FORMS": "0",
            "earlier_hours-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    district.refresh_from_db()
    version = district.earlier_hours.get()
    assert version.valid_until == date(2025, 6, 16)
    assert version.weekly_hours["0"] == [["07:00", "17:00"]]
    calendar = engine_calendar(district)
    friday = datetime(2025, 6, 13, tzinfo=CHICAGO)
    monday = datetime(2025, 6, 16, tzinfo=CHICAGO)
    assert calendar.between(friday, friday + timedelta(days=1)) == 10 * 3600
    assert calendar.between(monday, monday + timedelta(days=1)) == 8 * 3600
