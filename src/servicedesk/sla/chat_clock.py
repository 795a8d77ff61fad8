"""A live chat's first-response clock, on the same engine and calendar as the tickets' clocks.

The target is `SERVICEDESK_CHAT_FIRST_RESPONSE_SECONDS` (two minutes by default) counted on the
desk's default calendar: a chat that comes in at closing time is due the next morning, as a
ticket would be. The chat keeps the engine's record; this module is its bridge to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.engine import Clock, Outcome, Target
from servicedesk.sla.services import _default_calendar


@dataclass(frozen=True)
class ChatClock:
    due_at: datetime | None
    record: dict[str, Any]
    breached: bool = False


def chat_clock_start(started_at: datetime) -> ChatClock:
    target = Target.duration(settings.SERVICEDESK_CHAT_FIRST_RESPONSE_SECONDS)
    clock = Clock(target, engine_calendar(_default_calendar()), started_at)
    return ChatClock(clock.due_at, clock.to_dict())


def chat_clock_stop(record: dict[str, Any], at: datetime) -> ChatClock:
    """The first answer came at `at`: stop the clock and say whether it was late."""
    clock = Clock.from_dict(record, engine_calendar(_default_calendar()))
    clock.stop(at)
    return ChatClock(clock.due_at, clock.to_dict(), clock.outcome == Outcome.BREACHED)


def desk_open(at: datetime) -> bool:
    """Is the desk within its business hours (the default calendar) at `at`?"""
    calendar = engine_calendar(_default_calendar())
    if calendar.is_always:
        return True
    day = calendar.local_date(at)
    return any(start <= at < end for start, end in calendar.day_intervals(day))
