"""Calendars versioned by the date a change of hours takes effect: earlier days keep their hours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from servicedesk.sla.engine import Calendar

CHICAGO = ZoneInfo("America/Chicago")
OLD = {day: [("07:00", "17:00")] for day in range(5)}
NEW = {day: [("08:00", "16:00")] for day in range(5)}


def at(day: int, hour: int) -> datetime:
    return datetime(2025, 6, day, hour, tzinfo=CHICAGO)


def versioned() -> Calendar:
    # From Monday 16 June the desk works 08:00–16:00; before that it worked 07:00–17:00.
    return Calendar("America/Chicago", NEW, earlier={date(2025, 6, 16): OLD})


def test_days_before_the_change_keep_their_old_hours() -> None:
    calendar = versioned()
    assert calendar.between(at(13, 0), at(14, 0)) == 10 * 3600  # Friday 13th: 07–17
    assert calendar.between(at(16, 0), at(17, 0)) == 8 * 3600  # Monday 16th: 08–16
    assert calendar.day_intervals(date(2025, 6, 13))[0][0] == at(13, 7)
    assert calendar.day_intervals(date(2025, 6, 16))[0][0] == at(16, 8)


def test_a_due_time_crossing_the_change_uses_each_days_hours() -> None:
    # Friday 15:00 + 4 business hours: 2 h on Friday (to 17:00), 2 h on Monday from 08:00.
    assert versioned().add(at(13, 15), 4 * 3600) == at(16, 10)


def test_several_versions_each_apply_up_to_their_date() -> None:
    early = {day: [("09:00", "12:00")] for day in range(5)}
    calendar = Calendar(
        "America/Chicago", NEW, earlier={date(2025, 6, 9): early, date(2025, 6, 16): OLD}
    )
    assert calendar.between(at(6, 0), at(7, 0)) == 3 * 3600  # Friday 6th: 09–12
    assert calendar.between(at(13, 0), at(14, 0)) == 10 * 3600
    assert calendar.between(at(20, 0), at(21, 0)) == 8 * 3600


def test_versions_take_part_in_equality() -> None:
    plain = Calendar("America/Chicago", NEW)
    assert versioned() == versioned()
    assert versioned() != plain
