"""Calendar admin for people: weekly hours as a form, closures as named date ranges, holidays
chosen one by one, and a preview of the next 30 days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import TargetKind
from servicedesk.sla.models import BusinessCalendar, CalendarClosure, SlaRule
from servicedesk.sla.planning import calendar_replan, holidays_apply, holidays_preview
from servicedesk.sla.selectors import calendar_preview
from servicedesk.sla.simulator import simulate

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = {str(day): [["07:00", "17:00"]] for day in range(5)}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def district(db: None) -> BusinessCalendar:
    return BusinessCalendar.objects.create(
        name="District", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )


@pytest.fixture
def admin_client(district: BusinessCalendar) -> Client:
    admin = Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    return client


def change(client: Client, calendar: BusinessCalendar, **fields: Any) -> Any:
    hours = dict.fromkeys(DAYS[:5], "07:00–17:00")
    return client.post(
        f"/admin/sla/businesscalendar/{calendar.pk}/change/",
        {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            **hours,
            "hours_take_effect_on": "2025-01-01",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
            "earlier_hours-TOTAL_FORMS": "0",
            "earlier_hours-INITIAL_FORMS": "0",
            **fields,
        },
    )


def test_weekly_hours_are_typed_per_weekday_with_several_intervals_and_half_days(
    admin_client: Client, district: BusinessCalendar
) -> None:
    page = admin_client.get(f"/admin/sla/businesscalendar/{district.pk}/change/").content.decode()
    assert 'name="monday" value="07:00–17:00"' in page
    assert 'name="weekly_hours"' not in page
    response = change(
        admin_client, district, monday="07:00-12:00, 13:00–17:00", friday="7:00 - 12:00"
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.weekly_hours["0"] == [["07:00", "12:00"], ["13:00", "17:00"]]
    assert district.weekly_hours["4"] == [["07:00", "12:00"]]
    calendar = engine_calendar(district)
    monday = datetime(2025, 6, 16, tzinfo=CHICAGO)
    assert calendar.between(monday, monday + timedelta(days=1)) == 9 * 3600
    friday = datetime(2025, 6, 20, tzinfo=CHICAGO)
    assert calendar.between(friday, friday + timedelta(days=1)) == 5 * 3600


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"tuesday": "7 to 5"}, "Tuesday: “7 to 5” is not a time range such as 07:00–17:00."),
        ({"wednesday": "17:00–07:00"}, "Wednesday: 17:00–07:00 ends before it starts."),
        ({"monday": "07:00–12:00, 11:00–17:00"}, "Monday: 11:00–17:00 overlaps 07:00–12:00"),
        (dict.fromkeys(DAYS[:5], ""), "Give the working hours of at least one weekday."),
    ],
)
def test_wrong_hours_get_a_sentence_beside_the_day(
    admin_client: Client, district: BusinessCalendar, fields: dict[str, str], sentence: str
) -> None:
    response = change(admin_client, district, **fields)
    assert response.status_code == 200
    assert sentence in response.content.decode()
    district.refresh_from_db()
    assert district.weekly_hours == WEEKDAYS


def winter_break(calendar: BusinessCalendar) -> CalendarClosure:
    closure = CalendarClosure(
        calendar=calendar, date=date(2025, 12, 22), last_day=date(2026, 1, 2), name="Winter break"
    )
    closure.full_clean()
    closure.save()
    return closure


def test_a_winter_break_is_one_named_range(district: BusinessCalendar) -> None:
    winter_break(district)
    calendar = engine_calendar(district)
    assert not calendar.is_business_day(date(2025, 12, 22))
    assert not calendar.is_business_day(date(2026, 1, 2))
    assert calendar.next_business_day(date(2025, 12, 19)) == date(2026, 1, 5)
    eight_hours = SlaRule(target_kind=TargetKind.DURATION, minutes=8 * 60)
    result = simulate(district, eight_hours, datetime(2025, 12, 19, 13, tzinfo=CHICAGO), [])
    assert result.due_at == datetime(2026, 1, 5, 11, tzinfo=CHICAGO)
    assert "Mon 22 Dec 2025 – Fri 2 Jan 2026 closed (Winter break)" in result.summary


def test_a_range_counts_as_the_same_days_one_by_one(district: BusinessCalendar) -> None:
    winter_break(district)
    by_days = BusinessCalendar.objects.create(
        name="Day by day", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )
    for offset in range(12):
        CalendarClosure.objects.create(
            calendar=by_days, date=date(2025, 12, 22) + timedelta(days=offset), name="Break"
        )
    start = datetime(2025, 12, 15, 9, tzinfo=CHICAGO)
    for hours in (10, 40, 80):
        assert engine_calendar(district).add(start, hours * 3600) == engine_calendar(by_days).add(
            start, hours * 3600
        )


def test_closures_that_overlap_or_run_backwards_are_refused(district: BusinessCalendar) -> None:
    winter_break(district)
    snow_day = CalendarClosure(calendar=district, date=date(2025, 12, 31), name="Snow day")
    with pytest.raises(ValidationError, match="These days overlap “Winter break”"):
        snow_day.full_clean()
    backwards = CalendarClosure(
        calendar=district, date=date(2026, 3, 20), last_day=date(2026, 3, 16), name="Spring"
    )
    with pytest.raises(ValidationError, match="The last day comes before the first day"):
        backwards.full_clean()


def test_a_break_and_a_half_day_are_added_in_the_admin(
    admin_client: Client, district: BusinessCalendar
) -> None:
    response = change(
        admin_client,
        district,
        **{
            "closures-TOTAL_FORMS": "2",
            "closures-0-date": "2025-12-22",
            "closures-0-last_day": "2026-01-02",
            "closures-0-name": "Winter break",
            "closures-1-date": "2025-11-26",
            "closures-1-name": "Early release",
            "closures-1-open_hours": "07:00–12:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    half_day = district.closures.get(name="Early release")
    assert half_day.open_intervals == [["07:00", "12:00"]]
    assert district.closures.get(name="Winter break").last_day == date(2026, 1, 2)
    assert district.closures.count() == 2


def test_the_admin_chooses_which_holidays_to_keep(district: BusinessCalendar) -> None:
    offered = holidays_preview("US", "TX", [2025, 2026, 2027])
    names = [option.name for option in offered]
    assert "Confederate Memorial Day" in names and "Thanksgiving Day" in names
    thanksgiving = next(option for option in offered if option.name == "Thanksgiving Day")
    assert thanksgiving.days == [date(2025, 11, 27), date(2026, 11, 26), date(2027, 11, 25)]
    result = holidays_apply(
        district,
        country="US",
        subdivision="TX",
        years=[2025, 2026, 2027],
        names={"Thanksgiving Day", "Christmas Day"},
    )
    assert result.added == 6
    assert set(district.closures.values_list("name", flat=True)) == {
        "Thanksgiving Day",
        "Christmas Day",
    }


def test_a_holiday_inside_a_break_keeps_the_break(district: BusinessCalendar) -> None:
    winter_break(district)
    result = holidays_apply(
        district, country="US", subdivision="", years=[2025], names={"Christmas Day"}
    )
    assert (result.added, result.kept) == (0, 1)


def test_the_next_30_days_are_previewed_as_counted(
    district: BusinessCalendar, django_assert_num_queries: Any
) -> None:
    CalendarClosure.objects.create(calendar=district, date=date(2025, 6, 19), name="Juneteenth")
    CalendarClosure.objects.create(
        calendar=district,
        date=date(2025, 6, 20),
        name="Early release",
        open_intervals=[["07:00", "12:00"]],
    )
    district.refresh_from_db()
    engine_calendar(district)  # built once per edition, then cached
    with django_assert_num_queries(1):
        days = calendar_preview(district, date(2025, 6, 16))
    assert len(days) == 30
    by_day = {day.day: day for day in days}
    assert (by_day[date(2025, 6, 16)].hours, by_day[date(2025, 6, 16)].closure) == (
        "07:00–17:00",
        "",
    )
    assert (by_day[date(2025, 6, 19)].hours, by_day[date(2025, 6, 19)].closure) == (
        "closed",
        "Juneteenth",
    )
    assert by_day[date(2025, 6, 20)].hours == "07:00–12:00"
    assert by_day[date(2025, 6, 21)].hours == "closed" and not by_day[date(2025, 6, 21)].is_open


def test_the_change_page_shows_the_preview(
    admin_client: Client, district: BusinessCalendar
) -> None:
    page = admin_client.get(f"/admin/sla/businesscalendar/{district.pk}/change/").content.decode()
    assert 'data-testid="calendar-preview"' in page
    assert page.count('data-testid="preview-day"') == 30


def test_replanning_after_the_new_shape_keeps_every_due_time(
    district: BusinessCalendar, org: Any
) -> None:
    """Closures stored one row a day (as before ranges existed) give the same due times."""
    from servicedesk.sla.models import TicketClock
    from servicedesk.tickets.choices import Channel, TicketKind
    from servicedesk.tickets.services import ticket_create

    for day in (date(2025, 6, 19), date(2025, 7, 4), date(2025, 11, 27), date(2025, 11, 28)):
        CalendarClosure.objects.create(calendar=district, date=day, name="Holiday")
    SlaRule.objects.create(
        metric="resolution",
        position=1,
        name="Three business days",
        target_kind=TargetKind.BUSINESS_DAYS,
        days=3,
        calendar=district,
    )
    for n in range(5):
        ticket_create(
            actor=org.desk,
            requester=org.employee,
            kind=TicketKind.INCIDENT,
            channel=Channel.PHONE,
            short_description=f"Ticket {n}",
        )
    before = dict(TicketClock.objects.values_list("pk", "due_at"))
    assert calendar_replan(district).examined == 5
    assert dict(TicketClock.objects.values_list("pk", "due_at")) == before
