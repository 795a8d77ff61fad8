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
from django.db import transaction

from servicedesk.sla.models import BusinessCalendar, CalendarClosure, WeeklyHoursVersion

# Re-planning lives in its own module; the admin and the tests know it from here.
from servicedesk.sla.replan import Replan as Replan
from servicedesk.sla.replan import calendar_replan as calendar_replan


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
