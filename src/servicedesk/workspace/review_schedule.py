"""When the desk reviews the uncategorized queue: every odd-numbered hour, in business hours.

The school district's SLA procedure: "the Customer Care Center Analysts will review the
uncategorized queue every odd numbered hour". Pure arithmetic on aware datetimes (no ORM): a *slot*
is an odd local hour (01:00, 03:00, … 23:00 on the desk's wall clock) that falls inside the desk's
business hours. A slot lasts until the next one; the review of a slot is due at its start.

Wall-clock hours, not UTC ones, so the slots stay on the odd hours across daylight saving: an
odd hour the clocks skip (01:00 on Europe/London's spring day) is no slot, and one they repeat
(01:00 on America/Chicago's autumn day) is a slot once, at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from servicedesk.sla.engine import Calendar

ODD_HOURS = tuple(range(1, 24, 2))
# Two wall-clock hours apart are at most three real hours apart (a DST change in between).
LONGEST_SLOT = timedelta(hours=3)
# How far ahead the next slot is looked for: a desk closed longer than this has no due review.
LOOK_AHEAD_DAYS = 31


def _wall_instant(day: date, hour: int, zone: ZoneInfo) -> datetime | None:
    """`hour`:00 local on `day` as a UTC instant; None when the clocks skip that hour."""
    wall = datetime.combine(day, time(hour))
    instant = wall.replace(tzinfo=zone)  # fold=0: the first of a repeated hour
    if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant.astimezone(UTC)


def is_open(instant: datetime, zone: ZoneInfo, hours: Calendar | None) -> bool:
    """Whether the desk works at `instant`; `hours` None (or a 24x7 calendar) is always."""
    if hours is None or hours.is_always:
        return True
    local_day = instant.astimezone(zone).date()
    return any(start <= instant < end for start, end in hours.day_intervals(local_day))


def _candidates(first_day: date, last_day: date, zone: ZoneInfo) -> Iterator[datetime]:
    day = first_day
    while day <= last_day:
        for hour in ODD_HOURS:
            instant = _wall_instant(day, hour, zone)
            if instant is not None:
                yield instant
        day += timedelta(days=1)


def review_slots(
    start: datetime, end: datetime, zone: ZoneInfo, hours: Calendar | None
) -> list[datetime]:
    """The review slots in [start, end), as UTC instants in order.

    `zone` is the desk's wall clock; `hours` its business calendar (None: round the clock).
    A calendar's own zone decides its business hours; `zone` decides what "odd hour" means.
    """
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    return [
        slot
        for slot in _candidates(first_day, last_day, zone)
        if start <= slot < end and is_open(slot, zone, hours)
    ]


def current_slot(now: datetime, zone: ZoneInfo, hours: Calendar | None) -> datetime | None:
    """The slot `now` belongs to: the latest one begun, while the desk is open; else None (after
    hours, or open but before the day's first odd hour)."""
    now = now.astimezone(UTC)  # arithmetic on a zoned datetime would be wall-clock arithmetic
    if not is_open(now, zone, hours):
        return None
    begun = review_slots(now - LONGEST_SLOT, now + timedelta(microseconds=1), zone, hours)
    return begun[-1] if begun else None


def next_review_due(now: datetime, zone: ZoneInfo, hours: Calendar | None) -> datetime | None:
    """The first slot strictly after `now`; None if the desk stays closed for a month."""
    start = now.astimezone(UTC) + timedelta(microseconds=1)
    for week in range(0, LOOK_AHEAD_DAYS, 7):
        window_start = start + timedelta(days=week)
        found = review_slots(window_start, window_start + timedelta(days=7), zone, hours)
        if found:
            return found[0]
    return None
