"""Calendar: DST mapping, closures, day length, horizon growth, positions and validation."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from servicedesk.sla.engine import POSITION_EPOCH_YEAR, Calendar
from servicedesk.sla.engine.tests.sla_engine_support import (
    ALWAYS,
    CHICAGO,
    DIST,
    HOUR,
    LONDON,
    MINUTE,
    US_OK_HOLIDAYS,
    WEEKDAYS_7_TO_17,
    chi,
    utc,
)

EVERY_DAY = range(7)


def night_calendar(tz: str, start: str = "00:00", end: str = "04:00") -> Calendar:
    return Calendar(tz=tz, weekly={d: [(start, end)] for d in EVERY_DAY})


def window_length(cal: Calendar, day: date) -> int:
    return sum(int((e - s).total_seconds()) for s, e in cal.day_intervals(day))


# -- DST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "spring", "fall"),
    [
        ("America/Chicago", date(2025, 3, 9), date(2025, 11, 2)),
        ("Europe/London", date(2025, 3, 30), date(2025, 10, 26)),
        ("America/Chicago", date(2030, 3, 10), date(2030, 11, 3)),
    ],
)
def test_midnight_to_four_lasts_3h_on_spring_day_and_5h_on_fall_day(
    tz: str, spring: date, fall: date
) -> None:
    cal = night_calendar(tz)
    zone = ZoneInfo(tz)
    assert window_length(cal, spring) == 3 * HOUR
    assert window_length(cal, fall) == 5 * HOUR
    assert window_length(cal, spring - timedelta(days=1)) == 4 * HOUR
    assert window_length(cal, fall + timedelta(days=1)) == 4 * HOUR
    # The same through between() from local midnight to local midnight (23 h and 25 h apart).
    for day, hours in ((spring, 3), (fall, 5)):
        midnight = datetime.combine(day, time(), tzinfo=zone)
        next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        assert cal.between(midnight, next_midnight) == hours * HOUR
        assert cal.add(midnight, hours * HOUR) == datetime.combine(day, time(4), tzinfo=zone)


def test_start_in_spring_gap_maps_to_first_instant_after_gap() -> None:
    cal = night_calendar("America/Chicago", "02:30", "04:00")  # 02:00-03:00 does not exist
    [(start, end)] = cal.day_intervals(date(2025, 3, 9))
    assert start == utc(2025, 3, 9, 8)  # 03:00 CDT
    assert end == utc(2025, 3, 9, 9)  # 04:00 CDT
    assert cal.between(chi(2025, 3, 9, 0), chi(2025, 3, 9, 12)) == HOUR


def test_end_in_spring_gap_maps_to_first_instant_after_gap() -> None:
    cal = night_calendar("Europe/London", "00:30", "01:30")  # 01:00-02:00 does not exist
    [(start, end)] = cal.day_intervals(date(2025, 3, 30))
    assert start == utc(2025, 3, 30, 0, 30)  # 00:30 GMT
    assert end == utc(2025, 3, 30, 1)  # 02:00 BST, the first instant after the gap
    assert window_length(cal, date(2025, 3, 30)) == 30 * MINUTE


def test_interval_wholly_inside_the_gap_is_empty() -> None:
    cal = Calendar(
        tz="America/Chicago",
        weekly={6: [("02:10", "02:50")], 0: [("07:00", "17:00")]},
    )
    spring = date(2025, 3, 9)  # a Sunday
    assert cal.day_intervals(spring) == []
    assert not cal.is_business_day(spring)
    assert cal.is_business_day(spring + timedelta(days=7))


def test_fold_start_is_earliest_and_fold_end_is_latest() -> None:
    cal = night_calendar("America/Chicago", "01:00", "01:30")  # 01:00-02:00 happens twice
    [(start, end)] = cal.day_intervals(date(2025, 11, 2))
    assert start == utc(2025, 11, 2, 6)  # 01:00 CDT (first occurrence)
    assert end == utc(2025, 11, 2, 7, 30)  # 01:30 CST (second occurrence)
    assert window_length(cal, date(2025, 11, 2)) == 90 * MINUTE
    assert window_length(cal, date(2025, 11, 3)) == 30 * MINUTE


def test_london_fold() -> None:
    cal = night_calendar("Europe/London", "01:15", "01:45")
    [(start, end)] = cal.day_intervals(date(2025, 10, 26))
    assert start == utc(2025, 10, 26, 0, 15)  # 01:15 BST
    assert end == utc(2025, 10, 26, 1, 45)  # 01:45 GMT


def test_24x7_counts_wall_time_across_dst() -> None:
    assert ALWAYS.between(chi(2025, 3, 8, 10), chi(2025, 3, 9, 11)) == 24 * HOUR
    assert ALWAYS.between(chi(2025, 11, 1, 12), chi(2025, 11, 2, 12)) == 25 * HOUR
    assert ALWAYS.day_length == 24 * HOUR
    assert ALWAYS.is_always and not DIST.is_always


def test_business_day_on_dist_keeps_local_hours_across_dst() -> None:
    # The week of the spring change: every day is 07:00-17:00 local, in CST then CDT.
    assert DIST.add(chi(2025, 3, 7, 16), 2 * HOUR) == chi(2025, 3, 10, 8)
    assert DIST.between(chi(2025, 3, 7, 7), chi(2025, 3, 10, 17)) == 20 * HOUR
    assert DIST.between(chi(2025, 10, 31, 7), chi(2025, 11, 3, 17)) == 20 * HOUR


# -- intervals, closures, partial days ---------------------------------------------------------


def test_interval_may_end_at_24_00_and_runs_into_the_next_day() -> None:
    cal = Calendar(
        tz="America/Chicago",
        weekly={0: [("22:00", "24:00")], 1: [("00:00", "06:00")]},
    )
    monday = chi(2025, 6, 9, 22)
    assert cal.add(monday, 3 * HOUR) == chi(2025, 6, 10, 1)
    assert cal.between(monday, chi(2025, 6, 10, 12)) == 8 * HOUR
    assert cal.close_of(date(2025, 6, 9)) == chi(2025, 6, 10, 0)


def test_whole_day_closure() -> None:
    assert not DIST.is_business_day(date(2025, 6, 19))
    assert DIST.between(chi(2025, 6, 19, 0), chi(2025, 6, 20, 0)) == 0
    assert DIST.next_business_day(date(2025, 6, 18)) == date(2025, 6, 20)


def test_partial_closure_replaces_that_days_intervals() -> None:
    cal = Calendar(
        tz="America/Chicago",
        weekly=WEEKDAYS_7_TO_17,
        closures=US_OK_HOLIDAYS,
        partial={
            date(2025, 12, 23): [("07:00", "12:00")],
            date(2025, 12, 27): [("09:00", "11:00")],
        },
    )
    assert cal.between(chi(2025, 12, 23, 0), chi(2025, 12, 24, 0)) == 5 * HOUR
    assert cal.close_of(date(2025, 12, 23)) == chi(2025, 12, 23, 12)
    # A partial day on a Saturday opens it.
    assert cal.is_business_day(date(2025, 12, 27))
    assert cal.add(chi(2025, 12, 26, 16), 2 * HOUR) == chi(2025, 12, 27, 10)
    # Other days are untouched.
    assert cal.between(chi(2025, 12, 22, 0), chi(2025, 12, 23, 0)) == 10 * HOUR


def test_partial_closure_with_no_intervals_closes_the_day() -> None:
    cal = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17, partial={date(2025, 6, 10): []})
    assert not cal.is_business_day(date(2025, 6, 10))
    assert cal.add(chi(2025, 6, 9, 16), 2 * HOUR) == chi(2025, 6, 11, 8)


def test_split_day_and_overlapping_intervals_merge() -> None:
    cal = Calendar(
        tz="America/Chicago",
        weekly={d: [("13:00", "17:00"), ("07:00", "12:00"), ("11:00", "11:30")] for d in range(5)},
    )
    assert cal.day_length == 9 * HOUR
    assert cal.add(chi(2025, 6, 9, 11, 30), HOUR) == chi(2025, 6, 9, 13, 30)
    # Lunch break: 12:00 is the earliest instant with the morning done.
    assert cal.add(chi(2025, 6, 9, 7), 5 * HOUR) == chi(2025, 6, 9, 12)


def test_day_length_is_most_common_weekday_length() -> None:
    cal = Calendar(
        tz="America/Chicago",
        weekly={0: [("07:00", "17:00")], 1: [("07:00", "17:00")], 2: [("08:00", "12:00")]},
    )
    assert cal.day_length == 10 * HOUR
    tie = Calendar(tz="UTC", weekly={0: [("07:00", "17:00")], 1: [("08:00", "12:00")]})
    assert tie.day_length == 10 * HOUR
    explicit = Calendar(tz="UTC", weekly={0: [("07:00", "17:00")]}, day_length=8 * HOUR)
    assert explicit.day_length == 8 * HOUR
    assert DIST.day_length == 36_000


def test_time_objects_and_seconds_are_accepted() -> None:
    cal = Calendar(tz="UTC", weekly={0: [(time(7, 0, 30), "17:00:15")]})
    assert cal.day_length == 10 * HOUR - 15
    assert cal.close_of(date(2025, 6, 9)) == utc(2025, 6, 9, 17, 0, 15)


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weekly",
    [{}, {0: []}, {d: [] for d in EVERY_DAY}],
    ids=["empty", "one-empty-day", "all-empty"],
)
def test_calendar_without_working_time_is_rejected(
    weekly: dict[int, list[tuple[str, str]]],
) -> None:
    with pytest.raises(ValueError, match="no working time"):
        Calendar(tz="America/Chicago", weekly=weekly)


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({0: [("17:00", "07:00")]}, "must end after it starts"),
        ({0: [("07:00", "07:00")]}, "must end after it starts"),
        ({0: [("24:00", "24:00")]}, "only allowed as an interval end"),
        ({0: [("7:00", "17:00")]}, "HH:MM"),
        ({0: [("07:60", "17:00")]}, "invalid time"),
        ({0: [("07:00", "25:00")]}, "invalid time"),
        ({7: [("07:00", "17:00")]}, "weekday keys"),
    ],
)
def test_bad_intervals_are_rejected(weekly: dict[int, list[tuple[str, str]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Calendar(tz="UTC", weekly=weekly)


def test_bad_zone_and_conflicting_closure_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        Calendar(tz="Mars/Olympus", weekly=WEEKDAYS_7_TO_17)
    with pytest.raises(ValueError, match="both a whole-day closure and a partial"):
        Calendar(
            tz="UTC",
            weekly=WEEKDAYS_7_TO_17,
            closures={date(2025, 1, 1)},
            partial={date(2025, 1, 1): [("07:00", "12:00")]},
        )
    with pytest.raises(ValueError, match="day_length"):
        Calendar(tz="UTC", weekly=WEEKDAYS_7_TO_17, day_length=0)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 6, 9, 10)
    with pytest.raises(ValueError, match="naive"):
        DIST.add(naive, HOUR)
    with pytest.raises(ValueError, match="naive"):
        DIST.between(naive, chi(2025, 6, 10))
    with pytest.raises(ValueError, match="naive"):
        DIST.position(naive)


def test_add_rejects_negative_and_non_int_durations() -> None:
    with pytest.raises(ValueError, match="negative"):
        DIST.add(chi(2025, 6, 9, 10), -1)
    with pytest.raises(TypeError):
        DIST.add(chi(2025, 6, 9, 10), 1.5)  # type: ignore[arg-type]


# -- semantics of add / between ----------------------------------------------------------------


def test_add_zero_is_identity_even_outside_hours() -> None:
    saturday = chi(2025, 6, 14, 11, 0)
    assert DIST.add(saturday, 0) == saturday
    assert DIST.add(saturday, 1) == chi(2025, 6, 16, 7, 0) + timedelta(seconds=1)


def test_add_returns_earliest_instant_at_close() -> None:
    assert DIST.add(chi(2025, 6, 13, 16), HOUR) == chi(2025, 6, 13, 17)  # not Monday 07:00


def test_between_is_antisymmetric() -> None:
    a, b = chi(2025, 6, 9, 8), chi(2025, 6, 11, 9)
    assert DIST.between(a, b) == 21 * HOUR
    assert DIST.between(b, a) == -21 * HOUR
    assert DIST.between(a, a) == 0


def test_results_are_utc_and_inputs_in_any_zone_or_with_microseconds() -> None:
    start = datetime(2025, 6, 9, 16, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=-5)))
    due = DIST.add(start, HOUR)
    assert due.tzinfo is UTC
    assert due == chi(2025, 6, 9, 17)  # 16:00 -05:00 is 16:00 CDT; sub-seconds are floored
    assert DIST.between(start, chi(2025, 6, 9, 17)) == HOUR


# -- positions and horizon ---------------------------------------------------------------------


def test_position_epoch_is_local_new_year() -> None:
    epoch = datetime(POSITION_EPOCH_YEAR, 1, 1, tzinfo=CHICAGO)
    cal = Calendar(tz="America/Chicago", weekly={d: [("00:00", "24:00")] for d in EVERY_DAY})
    assert cal.position(epoch) == 0
    assert cal.position(epoch + timedelta(hours=5)) == 5 * HOUR
    assert cal.position(epoch - timedelta(hours=5)) == -5 * HOUR
    assert ALWAYS.position(datetime(POSITION_EPOCH_YEAR, 1, 1, tzinfo=UTC)) == 0


def test_positions_do_not_depend_on_the_order_the_horizon_grew() -> None:
    probes = [chi(2031, 2, 3, 9), chi(2019, 7, 8, 12), chi(2025, 6, 9, 10), chi(1995, 1, 2, 8)]
    forward = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17, closures=US_OK_HOLIDAYS)
    backward = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17, closures=US_OK_HOLIDAYS)
    first = [forward.position(p) for p in probes]
    second = [backward.position(p) for p in reversed(probes)][::-1]
    assert first == second
    for probe, position in zip(probes, first, strict=True):
        assert forward.instant_at(position) == probe  # each probe is inside working hours


def test_instant_at_is_earliest_and_position_roundtrips() -> None:
    friday_close = chi(2025, 6, 13, 17)
    p = DIST.position(friday_close)
    assert DIST.position(chi(2025, 6, 16, 7)) == p  # nothing counts over the weekend
    assert DIST.instant_at(p) == friday_close


def test_due_position_supports_one_bisect_remaining() -> None:
    start = chi(2025, 6, 13, 15, 30)
    due = DIST.add(start, 4 * HOUR)
    due_position = DIST.position(start) + 4 * HOUR
    assert DIST.instant_at(due_position) == due
    now = chi(2025, 6, 14, 12)
    assert due_position - DIST.position(now) == 150 * MINUTE


def test_far_past_and_future_work_and_out_of_range_is_rejected() -> None:
    cal = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17)
    assert cal.add(chi(1990, 6, 8, 16), 2 * HOUR) == chi(1990, 6, 11, 8)  # a Friday
    assert cal.add(chi(2090, 6, 9, 16), 2 * HOUR) == chi(2090, 6, 12, 8)  # Fri -> Mon
    for outside in (datetime(1800, 1, 1, tzinfo=UTC), datetime(2500, 1, 1, tzinfo=UTC)):
        with pytest.raises(ValueError, match="supported years"):
            cal.add(outside, 1)


def test_add_many_matches_add() -> None:
    starts = [chi(2025, 6, 13, 15, 30), chi(2025, 6, 14, 11), chi(2024, 2, 29, 9), chi(2027, 1, 1)]
    budgets = [4 * HOUR, 0, 36 * HOUR, 1]
    ts = [int(s.timestamp()) for s in starts]
    got = DIST.add_many(ts, budgets)
    assert got == [int(DIST.add(s, b).timestamp()) for s, b in zip(starts, budgets, strict=True)]
    assert ALWAYS.add_many(ts, budgets) == [t + b for t, b in zip(ts, budgets, strict=True)]
    with pytest.raises(ValueError, match="negative"):
        DIST.add_many(ts[:1], [-1])
    with pytest.raises(ValueError, match="same length"):
        DIST.add_many(ts, budgets[:1])


def test_equality_is_by_definition() -> None:
    again = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17, closures=US_OK_HOLIDAYS)
    assert again == DIST and hash(again) == hash(DIST)
    assert Calendar.always() == ALWAYS
    other = Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17)
    assert other != DIST
    assert Calendar(tz="UTC", weekly={d: [("00:00", "24:00")] for d in EVERY_DAY}) != ALWAYS


def test_local_date_and_london_calendar() -> None:
    cal = Calendar(tz="Europe/London", weekly=WEEKDAYS_7_TO_17)
    assert cal.local_date(utc(2025, 6, 9, 23, 30)) == date(2025, 6, 10)
    assert cal.add(datetime(2025, 6, 9, 16, tzinfo=LONDON), 2 * HOUR) == datetime(
        2025, 6, 10, 8, tzinfo=LONDON
    )


@pytest.mark.skipif(importlib.util.find_spec("holidays") is None, reason="holidays not installed")
def test_hardcoded_holidays_match_the_holidays_package() -> None:
    import holidays  # type: ignore[import-not-found, unused-ignore]

    expected = set()
    for year in (2025, 2026):
        expected |= set(holidays.country_holidays("US", subdiv="OK", years=year))
    assert set(US_OK_HOLIDAYS) == expected
