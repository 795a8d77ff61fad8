"""Business-hours calendars: B(t), its inverse, ``between`` and ``add``.

A calendar is materialised lazily, one local calendar year at a time and in both directions, into
sorted lists of UTC interval starts and ends (Unix seconds) plus, for every interval, the
business-time position of its end. ``position(t)`` (B(t)) and ``instant_at(p)`` (its inverse) are
one ``bisect`` each.

Positions are business seconds counted from the calendar's *position epoch*: local midnight
starting 1 January ``POSITION_EPOCH_YEAR`` in the calendar's zone (negative before it). They are
stable across processes for a given calendar definition, so they may be stored, but they change
whenever the definition changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._time import (
    TimeOfDay,
    from_ts,
    local_naive,
    local_to_ts,
    parse_time_of_day,
    to_ts,
)
from .axis import Axis, IntervalAxis, WallAxis

__all__ = ["POSITION_EPOCH_YEAR", "Calendar", "IntervalSpec"]

POSITION_EPOCH_YEAR = 2025
_MAX_DAY_SEARCH = 3 * 366

IntervalSpec = tuple[TimeOfDay, TimeOfDay]
"""One local working interval, e.g. ``("07:00", "17:00")``; the end may be ``"24:00"``."""

_Spans = tuple[tuple[int, int], ...]


def _parse_spans(specs: Sequence[IntervalSpec], what: str) -> _Spans:
    """Parse local intervals into sorted, merged (start, end) seconds-of-day pairs."""
    spans: list[tuple[int, int]] = []
    for spec in specs:
        if len(spec) != 2:
            raise ValueError(f"{what}: an interval is a (start, end) pair, got {spec!r}")
        start = parse_time_of_day(spec[0], allow_24=False)
        end = parse_time_of_day(spec[1], allow_24=True)
        if end <= start:
            raise ValueError(f"{what}: interval {spec!r} must end after it starts")
        spans.append((start, end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _nominal(spans: _Spans) -> int:
    return sum(end - start for start, end in spans)


class Calendar:
    """Working time of an organisation in one IANA time zone.

    ``weekly`` maps weekday (Monday = 0) to local intervals; missing weekdays are closed.
    ``closures`` are whole closed dates; ``partial`` replaces the intervals of given dates (an empty
    list closes the day). ``day_length`` defaults to the most common non-zero weekly day length
    (ties go to the longest). ``earlier`` versions the hours: ``earlier[d]`` is the weekly pattern
    that held on the days before ``d`` (several versions may be given; each applies up to its own
    date). Use :meth:`always` for the 24x7 calendar.
    """

    __slots__ = (
        "_always",
        "_axis",
        "_closures",
        "_day_length",
        "_earlier",
        "_earlier_until",
        "_epoch_ts",
        "_key",
        "_partial",
        "_tz",
        "_weekly",
        "_zone",
    )

    def __init__(
        self,
        tz: str,
        weekly: Mapping[int, Sequence[IntervalSpec]],
        closures: Iterable[date] = (),
        partial: Mapping[date, Sequence[IntervalSpec]] | None = None,
        *,
        day_length: int | None = None,
        earlier: Mapping[date, Mapping[int, Sequence[IntervalSpec]]] | None = None,
    ) -> None:
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {tz!r}") from exc
        self._tz = tz
        self._always = False
        self._weekly: tuple[_Spans, ...] = self._parse_week(weekly)
        if not any(self._weekly):
            raise ValueError(
                "calendar has no working time in its weekly pattern; "
                "give at least one weekday a working interval"
            )
        closed: set[date] = set()
        for day in closures:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise TypeError(f"closures must be dates, got {day!r}")
            closed.add(day)
        self._closures = frozenset(closed)
        parts: dict[date, _Spans] = {}
        for day, specs in (partial or {}).items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise TypeError(f"partial closure keys must be dates, got {day!r}")
            if day in self._closures:
                raise ValueError(f"{day} is both a whole-day closure and a partial closure")
            parts[day] = _parse_spans(specs, f"partial closure {day}")
        self._partial = parts
        # Versions: `earlier[d]` is the weekly pattern that held on the days *before* d, so an
        # edit of the hours that takes effect on d never changes business time already counted.
        versions = sorted(
            (until, self._parse_week(week)) for until, week in (earlier or {}).items()
        )
        self._earlier_until: tuple[date, ...] = tuple(until for until, _ in versions)
        self._earlier: tuple[tuple[_Spans, ...], ...] = tuple(week for _, week in versions)
        self._day_length = self._default_day_length() if day_length is None else day_length
        if not isinstance(self._day_length, int) or self._day_length <= 0:
            raise ValueError(f"day_length must be a positive number of seconds, got {day_length!r}")
        self._key: tuple[object, ...] = (
            tz,
            self._weekly,
            self._closures,
            tuple(sorted(parts.items())),
            self._day_length,
            self._earlier_until,
            self._earlier,
        )
        self._epoch_ts = self._year_start(POSITION_EPOCH_YEAR)
        self._axis: Axis = IntervalAxis(POSITION_EPOCH_YEAR, self._year_intervals, self._year_start)

    @classmethod
    def always(cls) -> Calendar:
        """The 24x7 calendar: business time equals wall time (zone UTC, day length 86,400 s)."""
        cal = cls("UTC", {d: [("00:00", "24:00")] for d in range(7)})
        cal._always = True
        cal._axis = WallAxis(cal._epoch_ts)
        cal._key = ("24x7",)
        return cal

    # -- description ---------------------------------------------------------------------------

    @property
    def tz(self) -> str:
        return self._tz

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def day_length(self) -> int:
        """Seconds of business time in a normal business day."""
        return self._day_length

    @property
    def is_always(self) -> bool:
        return self._always

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        if self._always:
            return "Calendar.always()"
        return (
            f"Calendar(tz={self._tz!r}, {sum(1 for s in self._weekly if s)} working weekdays, "
            f"{len(self._closures)} closures, {len(self._partial)} partial days)"
        )

    def _default_day_length(self) -> int:
        lengths = Counter(_nominal(spans) for spans in self._weekly if spans)
        best = max(lengths.items(), key=lambda item: (item[1], item[0]))
        return best[0]

    # -- per-day view --------------------------------------------------------------------------

    def _spans_of(self, day: date) -> _Spans:
        if day in self._closures:
            return ()
        found = self._partial.get(day)
        if found is not None:
            return found
        version = bisect_right(self._earlier_until, day)
        if version < len(self._earlier):
            return self._earlier[version][day.weekday()]
        return self._weekly[day.weekday()]

    @staticmethod
    def _parse_week(weekly: Mapping[int, Sequence[IntervalSpec]]) -> tuple[_Spans, ...]:
        week: list[_Spans] = [()] * 7
        for weekday, specs in weekly.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday keys are 0 (Monday) to 6 (Sunday), got {weekday!r}")
            week[weekday] = _parse_spans(specs, f"weekday {weekday}")
        return tuple(week)

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """UTC working intervals of local date ``day`` (DST rules applied, empty ones dropped)."""
        return [(from_ts(s), from_ts(e)) for s, e in self._day_ts(day)]

    def _day_ts(self, day: date) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for start, end in self._spans_of(day):
            s = local_to_ts(day, start, self._zone, earliest=True)
            e = local_to_ts(day, end, self._zone, earliest=False)
            if e > s:
                out.append((s, e))
        return out

    def is_business_day(self, day: date) -> bool:
        """Whether local date ``day`` has any working time."""
        return bool(self._day_ts(day))

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after local date ``day``."""
        current = day
        for _ in range(_MAX_DAY_SEARCH):
            current += timedelta(days=1)
            if self.is_business_day(current):
                return current
        raise ValueError(f"no business day within {_MAX_DAY_SEARCH} days after {day}")

    def close_of(self, day: date) -> datetime:
        """The close (end of the last working interval) of business day ``day``, in UTC."""
        return from_ts(self.close_ts(day))

    def close_ts(self, day: date) -> int:
        spans = self._day_ts(day)
        if not spans:
            raise ValueError(f"{day} is not a business day")
        return max(e for _, e in spans)

    def local_date(self, instant: datetime) -> date:
        """The local date of ``instant`` in the calendar's zone."""
        return local_naive(to_ts(instant), self._zone).date()

    # -- materialisation and the business-time axis on Unix seconds ----------------------------

    def _year_start(self, year: int) -> int:
        return local_to_ts(date(year, 1, 1), 0, self._zone, earliest=True)

    def _year_intervals(self, year: int) -> tuple[list[int], list[int]]:
        starts: list[int] = []
        ends: list[int] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        while day.year == year:
            for s, e in self._day_ts(day):
                if starts and s <= ends[-1]:
                    ends[-1] = max(ends[-1], e)
                else:
                    starts.append(s)
                    ends.append(e)
            day += one
        return starts, ends

    def position_ts(self, ts: int) -> int:
        """B(ts): business seconds from the position epoch to Unix second ``ts``."""
        return self._axis.position(ts)

    def instant_ts_at(self, position: int) -> int:
        """The earliest Unix second u with B(u) == ``position``."""
        return self._axis.instant_at(position)

    def between_ts(self, a: int, b: int) -> int:
        axis = self._axis
        return axis.position(b) - axis.position(a)

    def add_ts(self, ts: int, seconds: int) -> int:
        """The earliest Unix second u >= ``ts`` with ``between_ts(ts, u) == seconds``."""
        if seconds <= 0:
            if seconds == 0:
                return ts
            raise ValueError(f"cannot add a negative duration ({seconds} s)")
        return self._axis.add(ts, seconds)

    def add_many(self, starts: Sequence[int], seconds: Sequence[int]) -> list[int]:
        """Batch :meth:`add_ts` over Unix seconds (two bisects per item, horizon grown once)."""
        if len(starts) != len(seconds):
            raise ValueError("starts and seconds must have the same length")
        if seconds and min(seconds) < 0:
            raise ValueError("cannot add a negative duration")
        return self._axis.add_many(starts, seconds)

    # -- public datetime API -------------------------------------------------------------------

    def position(self, instant: datetime) -> int:
        """B(t) as an int: business seconds from the position epoch (see module docstring)."""
        return self.position_ts(to_ts(instant))

    def instant_at(self, position: int) -> datetime:
        """The earliest UTC instant whose position is ``position``."""
        return from_ts(self.instant_ts_at(position))

    def between(self, a: datetime, b: datetime) -> int:
        """Business seconds in [a, b); negative (= -between(b, a)) when b < a."""
        return self.between_ts(to_ts(a, "a"), to_ts(b, "b"))

    def add(self, start: datetime, seconds: int) -> datetime:
        """The earliest instant u >= start with ``between(start, u) == seconds`` (in UTC)."""
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            raise TypeError(f"seconds must be an int, got {seconds!r}")
        return from_ts(self.add_ts(to_ts(start, "start"), seconds))
