"""SLA clocks in words: which hours count, which days were closed, how long the clock waited.

"counted Mon–Fri 07:00–17:00 America/Chicago; paused 2 h of business time (2 d 17 h on the wall
clock); Thu 19 Jun 2025 closed (Juneteenth)" — only what moved the due time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.db.models import Q

from servicedesk.core.editions import cached, reading_one_edition
from servicedesk.sla.engine import Calendar, Clock
from servicedesk.sla.models import WEEKDAY_NAMES, BusinessCalendar, CalendarClosure

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


Span = tuple[datetime, datetime]


def _local_spans(day: date, intervals: list[list[str]], zone: ZoneInfo) -> list[Span]:
    """A local date's HH:MM intervals as aware instants ("24:00" is the next midnight)."""
    spans = []
    for start, end in intervals:
        begin = datetime.combine(day, time.fromisoformat(start), zone)
        if end == "24:00":
            finish = datetime.combine(day + timedelta(days=1), time(0), zone)
        else:
            finish = datetime.combine(day, time.fromisoformat(end), zone)
        spans.append((begin, finish))
    return spans


def _overlap(spans: list[Span], others: list[Span]) -> int:
    total = 0
    for a, b in spans:
        for c, d in others:
            total += max(int((min(b, d) - max(a, c)).total_seconds()), 0)
    return total


def _lost_spans(
    row: BusinessCalendar, day: date, open_intervals: list[list[str]], zone: ZoneInfo
) -> list[Span]:
    """The working time the weekly hours give `day` and a closure took away."""
    usual = (row.weekly_hours or {}).get(str(day.weekday()), [])
    lost = _local_spans(day, usual, zone)
    kept = _local_spans(day, open_intervals, zone)
    pieces: list[Span] = []
    for a, b in lost:
        cuts = sorted((max(a, c), min(b, d)) for c, d in kept if c < b and d > a)
        cursor = a
        for c, d in cuts:
            if c > cursor:
                pieces.append((cursor, c))
            cursor = max(cursor, d)
        if cursor < b:
            pieces.append((cursor, b))
    return pieces


def counted_spans(clock: Clock, at: datetime) -> list[Span]:
    """The spans the clock counts: its running segments, the open one projected to its due time
    (or to `at` when there is none)."""
    end = clock.due_at if clock.due_at and clock.due_at > at else at
    return [(begin, stop or end) for begin, stop in clock.segments if (stop or end) > begin]


def _closures_between(row: BusinessCalendar, first: date, last: date) -> list[CalendarClosure]:
    if reading_one_edition():  # a page kept by the configuration's edition: all, kept
        kept = cached(f"sla.closures:{row.pk}", lambda: list(row.closures.order_by("date")))
        return [
            closure
            for closure in kept
            if closure.date <= last and (closure.last_day or closure.date) >= first
        ]
    overlapping = row.closures.filter(date__lte=last).filter(
        Q(last_day__gte=first) | Q(last_day__isnull=True, date__gte=first)
    )
    return list(overlapping.order_by("date"))


def _counted_days(row: BusinessCalendar | None, spans: list[Span]) -> tuple[date, date] | None:
    """The first and last local day of the clock's counted `spans`; None when no closure can
    move it."""
    if row is None or row.is_24x7 or not spans:
        return None
    zone = ZoneInfo(row.time_zone)
    return spans[0][0].astimezone(zone).date(), spans[-1][1].astimezone(zone).date()


def closures_for_clocks(
    clocks: Iterable[tuple[BusinessCalendar | None, Clock]], at: datetime
) -> dict[int, list[CalendarClosure]]:
    """The closures that may have moved any of `clocks`, by calendar: one query per calendar
    (over the days all its clocks count on), however many clocks a ticket has on it."""
    days: dict[int, tuple[BusinessCalendar, date, date]] = {}
    for row, clock in clocks:
        counted = _counted_days(row, counted_spans(clock, at))
        if row is None or counted is None:
            continue
        first, last = counted
        if row.pk in days:
            _, seen_first, seen_last = days[row.pk]
            first, last = min(first, seen_first), max(last, seen_last)
        days[row.pk] = (row, first, last)
    return {pk: _closures_between(row, first, last) for pk, (row, first, last) in days.items()}


def closures_words(
    row: BusinessCalendar | None,
    clock: Clock,
    at: datetime,
    closures: Sequence[CalendarClosure] | None = None,
) -> list[str]:
    """The closed and shortened days that moved the clock's due time, oldest first, with years:
    only days whose lost working hours fell while the clock was counting (a holiday on a
    weekend, or while the ticket waited for the vendor, moved nothing). `closures`: the
    calendar's closures read already (`closures_for_clocks`), any wider than the clock's days."""
    spans = counted_spans(clock, at)
    counted = _counted_days(row, spans)
    if row is None or counted is None:
        return []
    zone = ZoneInfo(row.time_zone)
    first, last = counted
    if closures is None:
        closures = _closures_between(row, first, last)
    found = []
    for closure in closures:
        hours = closure.open_intervals or []
        moved = [
            day
            for day in closure.days
            if first <= day <= last and _overlap(_lost_spans(row, day, hours, zone), spans) > 0
        ]
        if not moved:
            continue
        label = day_words(moved[0])
        if len(moved) > 1:
            label = f"{label} – {day_words(moved[-1])}"
        if hours:
            times = ", ".join(f"{a}–{b}" for a, b in hours)
            found.append(f"{label} open {times} only ({closure.name})")
        else:
            found.append(f"{label} closed ({closure.name})")
    return found


def day_words(day: date) -> str:
    """`Thu 19 Jun 2025`: with its year, since explanations outlive the year they speak of."""
    return f"{SHORT_DAYS[day.weekday()]} {day.day} {day:%b %Y}"


def pauses(clock: Clock, at: datetime) -> list[Span]:
    """The spans between the clock's start and `at` (or its stop) when it did not count."""
    end = min(at, clock.stopped_at) if clock.stopped_at else at
    gaps, cursor = [], clock.started_at
    for begin, stop in clock.segments:
        if begin > cursor:
            gaps.append((cursor, min(begin, end)))
        cursor = max(cursor, stop or end)
    if cursor < end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if b > a]


def paused_seconds(clock: Clock, at: datetime) -> int:
    """Wall time the clock spent not running between its start and `at` (or its stop)."""
    return sum(int((b - a).total_seconds()) for a, b in pauses(clock, at))


def pause_words(clock: Clock, at: datetime) -> str:
    """`paused 2 h of business time (2 d 17 h on the wall clock)`, counting only the pauses
    that held back business time: a pause over a weekend or a night moved no due time."""
    business = wall = 0
    for a, b in pauses(clock, at):
        held = clock.calendar.between(a, b)
        if held > 0:
            business += held
            wall += int((b - a).total_seconds())
    if business < 60:
        return ""
    if business == wall:
        return f"paused {duration_words(business)}"
    return (
        f"paused {duration_words(business)} of business time "
        f"({duration_words(wall)} on the wall clock)"
    )


def hold_words(calendar: Calendar, since: datetime, until: datetime) -> str:
    """`, held 2 h of business time (2 d 16 h on the wall clock)`: what a hold moved the due
    time by; empty when it held back no business time (a night, a weekend)."""
    business = calendar.between(since, until)
    if business < 60:
        return ""
    wall = int((until - since).total_seconds())
    if wall == business:
        return f", held {duration_words(business)}"
    wall_words = duration_words(wall)
    return f", held {duration_words(business)} of business time ({wall_words} on the wall clock)"


def clock_summary(
    row: BusinessCalendar | None,
    clock: Clock,
    at: datetime,
    closures: Sequence[CalendarClosure] | None = None,
) -> str:
    """One line: the hours counted, the business time paused, and the closures that moved it
    (`closures`: the calendar's, read already for several clocks; see `closures_words`)."""
    parts = [f"counted {hours_words(row)}", pause_words(clock, at)]
    parts += closures_words(row, clock, at, closures)
    return "; ".join(part for part in parts if part)
