"""The odd-hour review slots (the school district's SLA procedure) as pure arithmetic: business
hours, holidays and the two daylight-saving days, on fixed clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.sla.engine import Calendar
from servicedesk.workspace.review_schedule import current_slot, next_review_due, review_slots

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
WEEKDAYS_7_TO_5 = {day: [("07:00", "17:00")] for day in range(5)}
CHRISTMAS = date(2025, 12, 25)
OFFICE = Calendar("America/Chicago", WEEKDAYS_7_TO_5, closures={CHRISTMAS})


def chicago(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO, fold=fold)


def local_hours(slots: list[datetime], zone: ZoneInfo) -> list[str]:
    return [f"{slot.astimezone(zone):%H:%M}" for slot in slots]


MONDAY = date(2025, 11, 17)


def test_a_business_day_has_the_odd_hours_from_opening_to_before_closing() -> None:
    slots = review_slots(chicago(MONDAY, 0), chicago(MONDAY, 23, 59), CHICAGO, OFFICE)
    assert local_hours(slots, CHICAGO) == ["07:00", "09:00", "11:00", "13:00", "15:00"]
    assert all(slot.tzinfo == UTC for slot in slots)


def test_the_current_slot_runs_until_the_next_odd_hour_and_stops_at_closing() -> None:
    assert current_slot(chicago(MONDAY, 10, 30), CHICAGO, OFFICE) == chicago(MONDAY, 9)
    assert current_slot(chicago(MONDAY, 11), CHICAGO, OFFICE) == chicago(MONDAY, 11)
    assert current_slot(chicago(MONDAY, 16, 59), CHICAGO, OFFICE) == chicago(MONDAY, 15)
    assert current_slot(chicago(MONDAY, 17, 30), CHICAGO, OFFICE) is None
    assert current_slot(chicago(MONDAY, 3), CHICAGO, OFFICE) is None


def test_the_next_review_is_the_next_odd_hour_or_the_next_business_morning() -> None:
    assert next_review_due(chicago(MONDAY, 9, 58), CHICAGO, OFFICE) == chicago(MONDAY, 11)
    assert next_review_due(chicago(MONDAY, 11), CHICAGO, OFFICE) == chicago(MONDAY, 13)
    friday_evening = chicago(MONDAY + timedelta(days=4), 18)
    assert next_review_due(friday_evening, CHICAGO, OFFICE) == chicago(
        MONDAY + timedelta(days=7), 7
    )
    christmas_eve = chicago(date(2025, 12, 24), 16)
    assert next_review_due(christmas_eve, CHICAGO, OFFICE) == chicago(date(2025, 12, 26), 7)


def test_a_desk_opening_at_an_even_hour_has_no_slot_until_the_first_odd_one() -> None:
    eight_to_five = Calendar("America/Chicago", {0: [("08:00", "17:00")]})
    assert current_slot(chicago(MONDAY, 8, 30), CHICAGO, eight_to_five) is None
    assert next_review_due(chicago(MONDAY, 8, 30), CHICAGO, eight_to_five) == chicago(MONDAY, 9)


def test_autumn_repeats_one_in_the_morning_once_and_the_slot_lasts_three_hours() -> None:
    fall_back = date(2025, 11, 2)  # 02:00 CDT becomes 01:00 CST
    slots = review_slots(chicago(fall_back, 0), chicago(fall_back, 5), CHICAGO, None)
    assert local_hours(slots, CHICAGO) == ["01:00", "03:00"]
    assert slots[1] - slots[0] == timedelta(hours=3)
    second_one_oclock = chicago(fall_back, 1, 30, fold=1)
    assert current_slot(second_one_oclock, CHICAGO, None) == slots[0]
    assert next_review_due(second_one_oclock, CHICAGO, None) == slots[1]


def test_spring_skips_an_odd_hour_the_clocks_jump_over() -> None:
    spring = date(2025, 3, 30)  # London: 01:00 GMT becomes 02:00 BST; 01:00 never happens
    start = datetime(2025, 3, 29, 22, tzinfo=UTC)
    slots = review_slots(start, start + timedelta(hours=6), LONDON, None)
    assert local_hours(slots, LONDON) == ["23:00", "03:00"]
    half_past_two = datetime(spring.year, spring.month, spring.day, 2, 30, tzinfo=LONDON)
    assert current_slot(half_past_two, LONDON, None) == slots[0]


ZONES = st.sampled_from(
    [ZoneInfo(name) for name in ("America/Chicago", "Europe/London", "Australia/Lord_Howe")]
)
# Given in any zone, not only UTC: arithmetic on a zoned datetime is wall-clock arithmetic.
INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([UTC, CHICAGO, LONDON]),
    allow_imaginary=False,
)


# Generating zoned datetimes is slow on a busy machine; the arithmetic under test is not.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(now=INSTANTS, zone=ZONES)
def test_round_the_clock_every_moment_has_an_odd_hour_slot_at_most_three_hours_old(
    now: datetime, zone: ZoneInfo
) -> None:
    slot = current_slot(now, zone, None)
    due = next_review_due(now, zone, None)
    assert slot is not None and due is not None
    assert slot <= now < due <= slot + timedelta(hours=3)
    for moment in (slot, due):
        local = moment.astimezone(zone)
        assert local.hour % 2 == 1 and local.minute == 0
    assert review_slots(slot, due, zone, None) == [slot]
