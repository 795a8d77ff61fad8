"""Business calendars from the database turned into engine calendars, cached per edition."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from datetime import date

from servicedesk.sla.engine import Calendar
from servicedesk.sla.models import BusinessCalendar, CalendarClosure

_cache: dict[int, tuple[uuid.UUID, Calendar]] = {}
_lock = threading.Lock()
_ALWAYS = Calendar.always()


def engine_calendar_for(
    row: BusinessCalendar, closures: Iterable[CalendarClosure] | None = None
) -> Calendar:
    """Build the engine's calendar for a row (raises ValueError when it cannot work)."""
    if row.is_24x7:
        return _ALWAYS
    weekly = _weekly(row.weekly_hours or {})
    if closures is None:
        closures = row.closures.all() if row.pk else ()
    whole: set[date] = set()
    partial: dict[date, list[tuple[str, str]]] = {}
    for closure in closures:
        for day in closure.days:
            if closure.open_intervals:
                partial[day] = [(start, end) for start, end in closure.open_intervals]
            else:
                whole.add(day)
    earlier = (
        {version.valid_until: _weekly(version.weekly_hours) for version in row.earlier_hours.all()}
        if row.pk
        else {}
    )
    return Calendar(
        tz=row.time_zone, weekly=weekly, closures=whole, partial=partial, earlier=earlier
    )


def _weekly(hours: dict[str, list[list[str]]]) -> dict[int, list[tuple[str, str]]]:
    return {int(day): [(start, end) for start, end in spans] for day, spans in hours.items()}


def engine_calendar(row: BusinessCalendar | None) -> Calendar:
    """The engine calendar of a row, built once per edition; None means 24x7."""
    if row is None or row.is_24x7:
        return _ALWAYS
    with _lock:
        cached = _cache.get(row.pk)
    if cached and cached[0] == row.edition:
        return cached[1]
    built = engine_calendar_for(row)
    with _lock:
        _cache[row.pk] = (row.edition, built)
    return built
