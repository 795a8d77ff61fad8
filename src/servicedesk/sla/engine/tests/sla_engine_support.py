"""Shared test data: the DIST calendar of docs/sla.md's worked examples and small helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from servicedesk.sla.engine import Calendar

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
HOUR = 3600
MINUTE = 60

# holidays.US(subdiv="OK") for 2025 and 2026, observed days included (checked against the
# package in test_sla_engine_calendar.py when it is installed). Hardcoded so that the engine's
# tests do not depend on a library whose upgrades could move dates.
US_OK_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 1, 20),
        date(2025, 2, 17),
        date(2025, 5, 26),
        date(2025, 6, 19),
        date(2025, 7, 4),
        date(2025, 9, 1),
        date(2025, 11, 11),
        date(2025, 11, 27),
        date(2025, 11, 28),
        date(2025, 12, 25),
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 7, 4),
        date(2026, 9, 7),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 11, 27),
        date(2026, 12, 25),
    }
)

WEEKDAYS_7_TO_17 = {d: [("07:00", "17:00")] for d in range(5)}


def dist_calendar() -> Calendar:
    """DIST = Mon-Fri 07:00-17:00 America/Chicago with US + Oklahoma holidays."""
    return Calendar(tz="America/Chicago", weekly=WEEKDAYS_7_TO_17, closures=US_OK_HOLIDAYS)


DIST = dist_calendar()
ALWAYS = Calendar.always()


def chi(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware America/Chicago wall time, e.g. ``chi(2025, 6, 9, 7)`` (fold 0: first 01:xx)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CHICAGO)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
