"""Explanations that explain: only the closures and pauses that moved a due time, with years;
pauses in business and wall time; the simulator's daylight-saving choices and its sentences."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from servicedesk.conftest import Org
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState, Metric, TargetKind
from servicedesk.sla.engine import Calendar, Clock, Target
from servicedesk.sla.explain import clock_summary, hold_words
from servicedesk.sla.models import BusinessCalendar, CalendarClosure, SlaRule, TicketClock
from servicedesk.sla.selectors import clocks_for
from servicedesk.sla.simulator import LocalTimeChoice, local_instant, simulate
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create

CHICAGO = ZoneInfo("America/Chicago")
UTC = ZoneInfo("UTC")
WEEKDAYS = {str(day): [["07:00", "17:00"]] for day in range(5)}
EIGHT_HOURS = SlaRule(target_kind=TargetKind.DURATION, minutes=8 * 60)


def chi(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def district(db: None) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.create(
        name="District", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )
    for day, name, hours in [
        (date(2025, 1, 1), "New Year's Day", []),
        (date(2025, 6, 19), "Juneteenth", []),
        (date(2025, 6, 21), "Saturday picnic", []),
        (date(2025, 6, 20), "Early release", [["07:00", "12:00"]]),
        (date(2025, 7, 4), "Independence Day", []),
    ]:
        CalendarClosure.objects.create(calendar=calendar, date=day, name=name, open_intervals=hours)
    return calendar


def test_only_the_closures_that_moved_the_due_time_are_named_with_their_year(
    district: BusinessCalendar,
) -> None:
    # Example 8 of the SLA spec: Wed 14:00 + 8 business hours, Thursday closed.
    result = simulate(district, EIGHT_HOURS, chi(2025, 6, 18, 14), [])
    assert result.due_at == chi(2025, 6, 20, 12)
    assert result.summary == (
        "counted Mon–Fri 07:00–17:00 America/Chicago; Thu 19 Jun 2025 closed (Juneteenth)"
    )


def test_a_shortened_day_that_cut_into_the_count_is_named(district: BusinessCalendar) -> None:
    result = simulate(district, EIGHT_HOURS, chi(2025, 6, 20, 9), [])
    # Friday 09:00–12:00 (3 h), Monday 07:00–12:00 (5 h): the afternoon off moved it.
    assert result.due_at == chi(2025, 6, 23, 12)
    assert "Fri 20 Jun 2025 open 07:00–12:00 only (Early release)" in result.summary
    assert "picnic" not in result.summary  # a Saturday: no working hours were lost


def test_a_finished_clock_does_not_list_every_closure_up_to_today(
    district: BusinessCalendar,
) -> None:
    clock = Clock(Target.duration(4 * 3600), engine_calendar(district), chi(2025, 6, 2, 9))
    clock.stop(chi(2025, 6, 2, 11))
    summary = clock_summary(district, clock, chi(2025, 12, 1, 9))
    assert summary == "counted Mon–Fri 07:00–17:00 America/Chicago"


def test_a_closure_during_a_pause_moved_nothing(district: BusinessCalendar) -> None:
    # Waiting for the vendor from Wednesday 16:00 to Friday 08:00: Juneteenth fell inside.
    pause = (chi(2025, 6, 18, 16), chi(2025, 6, 20, 8))
    result = simulate(district, EIGHT_HOURS, chi(2025, 6, 18, 14), [pause])
    assert "Juneteenth" not in result.summary
    # Wednesday 14:00–16:00 and Friday 08:00–12:00 (6 h), Monday 07:00–09:00.
    assert result.due_at == chi(2025, 6, 23, 9)
    assert "paused 2 h of business time (1 d 16 h on the wall clock)" in result.summary


def test_pauses_are_told_in_business_time_and_wall_time(district: BusinessCalendar) -> None:
    weekend = (chi(2025, 6, 7, 10), chi(2025, 6, 8, 10))  # a Saturday: moves nothing
    over_the_weekend = (chi(2025, 6, 13, 16), chi(2025, 6, 16, 8))
    result = simulate(district, EIGHT_HOURS, chi(2025, 6, 6, 9), [weekend])
    assert "paused" not in result.summary
    result = simulate(district, EIGHT_HOURS, chi(2025, 6, 13, 15), [over_the_weekend])
    assert "paused 2 h of business time (2 d 16 h on the wall clock)" in result.summary
    assert any(
        "paused 2 h of business time (2 d 16 h on the wall clock)" in line
        for line in (result.timeline)
    )


def test_a_repeated_local_time_is_read_as_chosen() -> None:
    fall_back = datetime(2025, 11, 2, 1, 30)
    first = local_instant(fall_back, CHICAGO, LocalTimeChoice.EARLIER)
    second = local_instant(fall_back, CHICAGO, LocalTimeChoice.LATER)
    assert first.at == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)
    assert second.at == datetime(2025, 11, 2, 7, 30, tzinfo=UTC)
    assert first.note == second.note == "happens twice"


def test_a_skipped_local_time_is_read_as_chosen() -> None:
    spring_forward = datetime(2025, 3, 9, 2, 30)
    jumped = local_instant(spring_forward, CHICAGO, LocalTimeChoice.EARLIER)
    shifted = local_instant(spring_forward, CHICAGO, LocalTimeChoice.LATER)
    assert jumped.at == chi(2025, 3, 9, 3, 0)
    assert shifted.at == chi(2025, 3, 9, 3, 30)
    assert jumped.note == "does not exist"
    ordinary = local_instant(datetime(2025, 6, 9, 9), CHICAGO, LocalTimeChoice.LATER)
    assert (ordinary.at, ordinary.note) == (chi(2025, 6, 9, 9), "")


@pytest.fixture
def admin_client(district: BusinessCalendar) -> Client:
    admin = Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    return client


def simulate_in_admin(client: Client, calendar: BusinessCalendar, **fields: object) -> str:
    response = client.post(
        "/admin/sla/businesscalendar/simulator/",
        {"calendar": calendar.pk, "target_kind": TargetKind.DURATION, "minutes": 15, **fields},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_simulator_takes_the_repeated_hour_of_the_fall_back_day(
    admin_client: Client, db: None
) -> None:
    always = BusinessCalendar.objects.create(
        name="Around the clock", time_zone="America/Chicago", weekly_hours=WEEKDAYS, is_24x7=True
    )
    first = simulate_in_admin(admin_client, always, start="2025-11-02T01:30")
    assert "Sun 2 Nov 2025 01:45 CDT" in first
    assert "2025-11-02 01:30 happens twice in America/Chicago: used Sun 2 Nov 2025 01:30 CDT" in (
        first
    )
    second = simulate_in_admin(
        admin_client, always, start="2025-11-02T01:30", local_time_choice="later"
    )
    assert "Sun 2 Nov 2025 01:45 CST" in second


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        (
            {"pauses": "2025-06-09 14:00 / 2025-06-09 12:00"},
            "Pause line 1 ends (Mon 9 Jun 2025 12:00 CDT) before it begins "
            "(Mon 9 Jun 2025 14:00 CDT): put the start first.",
        ),
        (
            {"pauses": "2025-06-09 11:00 / 2025-06-09 13:00\n2025-06-09 12:00 / 2025-06-09 14:00"},
            "Pause lines 1 and 2 overlap: merge them.",
        ),
        (
            {"pauses": "2025-06-09 08:00 / 2025-06-09 09:00"},
            "Pause line 1 begins (Mon 9 Jun 2025 08:00 CDT) before the clock starts",
        ),
        ({"pauses": "2025-06-09 12:00 / tomorrow"}, "Pause line 1: “tomorrow” is not a date"),
        ({"start": "next monday"}, "“next monday” is not a date and time such as"),
        ({"minutes": ""}, "A duration needs its number of minutes."),
    ],
)
def test_bad_input_gets_a_sentence(
    admin_client: Client, district: BusinessCalendar, fields: dict[str, str], sentence: str
) -> None:
    page = simulate_in_admin(admin_client, district, **{"start": "2025-06-09T10:00", **fields})
    assert sentence in page
    assert 'data-testid="due"' not in page
    assert "ClockError" not in page and "Traceback" not in page


def test_a_resumed_hold_says_what_it_moved(district: BusinessCalendar) -> None:
    calendar = engine_calendar(district)
    weekend = hold_words(calendar, chi(2025, 6, 13, 16), chi(2025, 6, 16, 8))
    assert weekend == ", held 2 h of business time (2 d 16 h on the wall clock)"
    assert hold_words(calendar, chi(2025, 6, 14, 9), chi(2025, 6, 15, 9)) == ""
    assert hold_words(Calendar.always(), chi(2025, 6, 14, 9), chi(2025, 6, 14, 11)) == (
        ", held 2 h"
    )


def test_a_tickets_clocks_read_their_calendars_closures_once(
    district: BusinessCalendar, org: Org, django_assert_num_queries: Any
) -> None:
    # Three clocks on the district's calendar: the Juneteenth one moved only the resolution
    # clock, which counted over it; the acknowledge and response clocks stopped before.
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    TicketClock.objects.filter(ticket=ticket).delete()
    started = chi(2025, 6, 18, 14)
    for metric, hours, stopped in [
        (Metric.ACKNOWLEDGE, 1, chi(2025, 6, 18, 14, 30)),
        (Metric.RESPONSE, 2, chi(2025, 6, 18, 15)),
        (Metric.RESOLUTION, 8, None),
    ]:
        clock = Clock(Target.duration(hours * 3600), engine_calendar(district), started)
        if stopped:
            clock.stop(stopped)
        TicketClock.objects.create(
            ticket=ticket,
            metric=metric,
            calendar=district,
            target_label=f"{hours} h",
            state=ClockState.COMPLETED if stopped else ClockState.RUNNING,
            started_at=started,
            due_at=clock.due_at,
            record=clock.to_dict(),
        )
    # The clocks, their events, the calendar's closures: once, not once per clock.
    with django_assert_num_queries(3):
        views = clocks_for(ticket, now=chi(2025, 6, 19, 12))
    summaries = {view.metric: view.summary for view in views}
    assert "Juneteenth" in summaries[Metric.RESOLUTION]
    assert summaries[Metric.ACKNOWLEDGE] == "counted Mon–Fri 07:00–17:00 America/Chicago"
    assert "Juneteenth" not in summaries[Metric.RESPONSE]
