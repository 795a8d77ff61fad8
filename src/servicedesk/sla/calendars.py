"""Business calendars from the database turned into engine calendars, cached per revision."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date

from servicedesk.sla.engine import Calendar
from servicedesk.sla.models import BusinessCalendar, CalendarClosure

_cache: dict[int, tuple[int, Calendar]] = {}
_lock = threading.Lock()
_ALWAYS = Calendar.always()


def engine_calendar_for(
    row: BusinessCalendar, closures: Iterable[CalendarClosure] | None = None
) -> Calendar:
    """Build the engine's calendar for a row (raises ValueError when it cannot work)."""
    if row.is_24x7:
        return _ALWAYS
    weekly = {
        int(day): [(start, end) for start, end in intervals]
        for day, intervals in (row.weekly_hours or {}).items()
    }
    if closures is None:
        closures = row.closures.all() if row.pk else ()
    whole: set[date] = set()
    partial: dict[date, list[tuple[str, str]]] = {}
    for closure in closures:
        if closure.open_intervals:
            partial[closure.date] = [(start, end) for start, end in closure.open_intervals]
        else:
            whole.add(closure.date)
    return Calendar(tz=row.time_zone, weekly=weekly, closures=whole, partial=partial)


def engine_calendar(row: BusinessCalendar | None) -> Calendar:
    """The engine calendar of a row, built once per revision; None means 24x7."""
    if row is None or row.is_24x7:
        return _ALWAYS
    with _lock:
        cached = _cache.get(row.pk)
    if cached and cached[0] == row.revision:
        return cached[1]
    built = engine_calendar_for(row)
    with _lock:
        _cache[row.pk] = (row.revision, built)
    return built
