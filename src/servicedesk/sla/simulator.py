"""The SLA simulator: a calendar, a target and a start (plus pauses) → the due time and why.

Times are typed as the calendar's local time. A time the clocks skip (spring forward) or repeat
(fall back) is read as the admin chose, and the simulation says which instant it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.engine import Clock, Target
from servicedesk.sla.explain import clock_summary, day_words, duration_words
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.sla.rules import describe_target, target_of


class LocalTimeChoice(StrEnum):
    """Which instant a skipped or repeated local time means."""

    EARLIER = "earlier"
    LATER = "later"


@dataclass(frozen=True)
class LocalInstant:
    at: datetime
    # "" for an ordinary time; else why the choice mattered, e.g. "happens twice".
    note: str


def _transition(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] with `after`'s UTC offset: when the clocks jumped."""
    offset = after.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def local_instant(naive: datetime, zone: ZoneInfo, choice: LocalTimeChoice) -> LocalInstant:
    """A wall-clock time in `zone` as an instant (UTC).

    Repeated (fall back): EARLIER is its first occurrence, LATER its second. Skipped (spring
    forward): EARLIER is the instant the clocks jumped (03:00 for 02:30), as the SLA engine maps a
    working interval's start; LATER reads it with the offset before the jump (03:30 for 02:30).
    """
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return LocalInstant(first.astimezone(UTC), "")
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip == naive:
        chosen = first if choice == LocalTimeChoice.EARLIER else second
        return LocalInstant(chosen.astimezone(UTC), "happens twice")
    # Inside the gap: fold=0 reads it with the offset before the jump, fold=1 with the one after.
    jump_late, jump_early = first.astimezone(UTC), second.astimezone(UTC)
    if choice == LocalTimeChoice.LATER:
        return LocalInstant(jump_late, "does not exist")
    return LocalInstant(_transition(jump_early, jump_late, zone), "does not exist")


def stamp(at: datetime, zone: ZoneInfo) -> str:
    """`Sun 2 Nov 2025 01:30 CST`: in the calendar's zone, with its year."""
    local = at.astimezone(zone)
    return f"{day_words(local.date())} {local:%H:%M %Z}"


@dataclass(frozen=True)
class Simulation:
    target_label: str
    due_at: datetime | None
    due_words: str
    timeline: list[str]
    summary: str


def simulate(
    calendar: BusinessCalendar,
    target_rule: SlaRule,
    start: datetime,
    pauses: list[tuple[datetime, datetime]],
) -> Simulation:
    """Pauses must be in order, apart, and after the start (the form checks it in words)."""
    zone = ZoneInfo(calendar.time_zone)
    engine = engine_calendar(calendar)
    target: Target = target_of(target_rule)
    clock = Clock(target, engine, start)
    label = describe_target(target_rule)
    lines = [f"{stamp(start, zone)}: started, {label}"]
    for begin, end in pauses:
        clock.pause(begin)
        clock.resume(end)
        held = engine.between(begin, end)
        wall = int((end - begin).total_seconds())
        lines.append(
            f"{stamp(begin, zone)} – {stamp(end, zone)}: paused {duration_words(held)} of "
            f"business time ({duration_words(wall)} on the wall clock)"
        )
    due = clock.due_at
    due_words = stamp(due, zone) if due else ""
    lines.append(f"due {due_words}" if due else "no due time: no SLA applies")
    horizon = due or start
    return Simulation(label, due, due_words, lines, clock_summary(calendar, clock, horizon))
