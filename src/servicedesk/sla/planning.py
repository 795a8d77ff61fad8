"""Calendar changes: importing public holidays, and re-planning the clocks that count on a calendar.

Holidays are *materialised* into closures with their source noted, so that an upgrade of the
`holidays` package never silently moves a due date; re-planning then recomputes every open
clock on that calendar from its stored facts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

import holidays
from django.db import connection, transaction

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState
from servicedesk.sla.engine import Clock
from servicedesk.sla.models import (
    BusinessCalendar,
    CalendarClosure,
    TicketClock,
    WeeklyHoursVersion,
)
from servicedesk.sla.services import CLOCK_COLUMNS, copy_clock

REPLAN_BATCH = 2000


class HolidayImportError(ValueError):
    pass


@dataclass(frozen=True)
class HolidayImport:
    added: int
    kept: int
    source: str


@dataclass(frozen=True)
class HolidayOption:
    """One holiday of an import, with every date it falls on in the years asked."""

    name: str
    days: list[date]


def _official(country: str, subdivision: str, years: Iterable[int]) -> dict[date, str]:
    try:
        found = holidays.country_holidays(
            country.upper(), subdiv=subdivision.upper() or None, years=list(years)
        )
    except NotImplementedError as unknown:
        raise HolidayImportError(
            f"“{country}” is not a country the holidays package knows."
        ) from unknown
    except ValueError as problem:
        raise HolidayImportError(str(problem)) from problem
    return dict(sorted(found.items()))


def holidays_preview(country: str, subdivision: str, years: Iterable[int]) -> list[HolidayOption]:
    """The holidays an import would offer, by name in the order they first fall."""
    by_name: dict[str, list[date]] = {}
    for day, name in _official(country, subdivision, years).items():
        by_name.setdefault(name, []).append(day)
    return [HolidayOption(name, days) for name, days in by_name.items()]


@transaction.atomic
def holidays_apply(
    calendar: BusinessCalendar,
    *,
    country: str,
    subdivision: str,
    years: Iterable[int],
    names: Collection[str] | None = None,
) -> HolidayImport:
    """Add a country's (and subdivision's) public holidays, observed days included; with
    `names`, only the holidays the admin chose to keep (not every optional day of a state).

    A day the organisation already defined itself (a half day, a named closure, a day of a
    break) is kept as it is.
    """
    official = _official(country, subdivision, years)
    if names is not None:
        official = {day: name for day, name in official.items() if name in names}
    source = f"holidays {version('holidays')} {country.upper()}/{subdivision.upper() or '-'}"
    existing = {day for closure in calendar.closures.all() for day in closure.days}
    fresh = [
        CalendarClosure(calendar=calendar, date=day, name=name, source=source)
        for day, name in official.items()
        if day not in existing
    ]
    CalendarClosure.objects.bulk_create(fresh)
    calendar.mark_changed()
    return HolidayImport(added=len(fresh), kept=len(official) - len(fresh), source=source)


def calendar_hours_change(
    calendar: BusinessCalendar, previous_hours: dict[str, list[list[str]]], effective: date
) -> WeeklyHoursVersion:
    """Keep the hours in force before `effective`, so days already counted keep their hours.

    Called before the calendar is saved with its new hours; the caller re-plans open clocks.
    """
    version, _ = WeeklyHoursVersion.objects.update_or_create(
        calendar=calendar, valid_until=effective, defaults={"weekly_hours": previous_hours}
    )
    calendar.mark_changed()
    return version


def calendar_replan(calendar: BusinessCalendar) -> int:
    """Recompute due dates and warning times of every open clock counting on `calendar`."""
    calendar.refresh_from_db()
    engine = engine_calendar(calendar)
    open_clocks = TicketClock.objects.filter(
        calendar=calendar, state__in=[ClockState.RUNNING, ClockState.PAUSED]
    )
    done = 0
    pks = list(open_clocks.values_list("pk", flat=True))
    for start in range(0, len(pks), REPLAN_BATCH):
        with transaction.atomic():
            batch = list(
                TicketClock.objects.select_for_update().filter(
                    pk__in=pks[start : start + REPLAN_BATCH]
                )
            )
            for row in batch:
                copy_clock(row, Clock.from_dict(row.record, engine))
            _write_back(batch)
            done += len(batch)
    return done


def _write_back(rows: list[TicketClock]) -> None:
    """One prepared UPDATE per row, sent as a batch: Django's bulk_update builds a CASE per
    column with a branch per row, which SQLite evaluates in quadratic time (500 s for 100,000)."""
    fields = [f for f in TicketClock._meta.concrete_fields if f.name in CLOCK_COLUMNS]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(TicketClock._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
