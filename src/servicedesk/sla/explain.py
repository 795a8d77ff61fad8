"""SLA clocks in words: which hours count, which days were closed, how long the clock waited.

"counted Mon–Fri 07:00–17:00 America/Chicago; paused 2 h 10 min; Thu 19 Jun closed (Juneteenth)"
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby

from servicedesk.sla.engine import Clock
from servicedesk.sla.models import WEEKDAY_NAMES, BusinessCalendar

SHORT_DAYS = [name[:3] for name in WEEKDAY_NAMES]


def duration_words(seconds: int) -> str:
    """`2 h 10 min`, `45 min`, `3 d 2 h` — compact, for timelines."""
    minutes = max(seconds, 0) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    words = " ".join(part for part in parts if part and part != "0 min")
    return words or "0 min"


def hours_words(row: BusinessCalendar | None) -> str:
    """The weekly hours: `Mon–Fri 07:00–17:00 America/Chicago`, or `around the clock`."""
    if row is None or row.is_24x7:
        return "around the clock"
    by_day = {int(day): intervals for day, intervals in (row.weekly_hours or {}).items()}
    runs = []
    days = [day for day in range(7) if by_day.get(day)]
    for hours, group in groupby(days, key=lambda day: by_day[day]):
        members = list(group)
        span = (
            SHORT_DAYS[members[0]]
            if len(members) == 1
            else f"{SHORT_DAYS[members[0]]}–{SHORT_DAYS[members[-1]]}"
        )
        times = ", ".join(f"{start}–{end}" for start, end in hours)
        runs.append(f"{span} {times}")
    return f"{'; '.join(runs)} {row.time_zone}"


def closures_words(row: BusinessCalendar | None, start: datetime, end: datetime) -> list[str]:
    """The calendar's closed and shortened days between two instants, oldest first."""
    if row is None or row.is_24x7 or end < start:
        return []
    first, last = start.date() - timedelta(days=1), end.date() + timedelta(days=1)
    found = []
    for closure in row.closures.filter(date__range=(first, last)).order_by("date"):
        day = closure.date
        label = _day(day)
        if closure.open_intervals:
            hours = ", ".join(f"{a}–{b}" for a, b in closure.open_intervals)
            found.append(f"{label} open {hours} only ({closure.name})")
        else:
            found.append(f"{label} closed ({closure.name})")
    return found


def _day(day: date) -> str:
    return f"{SHORT_DAYS[day.weekday()]} {day.day} {day:%b}"


def paused_seconds(clock: Clock, at: datetime) -> int:
    """Wall time the clock spent not running between its start and `at` (or its stop)."""
    end = min(at, clock.stopped_at) if clock.stopped_at else at
    running = sum(
        int(((stop or end) - begin).total_seconds())
        for begin, stop in clock.segments
        if begin < end
    )
    return max(int((end - clock.started_at).total_seconds()) - running, 0)


def clock_summary(row: BusinessCalendar | None, clock: Clock, at: datetime) -> str:
    """One line: the hours counted, time spent paused, and closures that fell inside."""
    parts = [f"counted {hours_words(row)}"]
    paused = paused_seconds(clock, at)
    if paused >= 60:
        parts.append(f"paused {duration_words(paused)}")
    horizon = clock.due_at or clock.stopped_at or at
    parts += closures_words(row, clock.started_at, max(horizon, at))
    return "; ".join(parts)
