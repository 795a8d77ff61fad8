"""A ticket's SLA clocks and their timelines, read-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from servicedesk.sla.choices import ClockEventKind, ClockState, Metric


class ClockEventOut(Schema):
    at: datetime
    kind: ClockEventKind
    detail: str


class ClockOut(Schema):
    metric: Metric
    target: str
    calendar: str | None
    state: ClockState
    outcome: str
    started_at: datetime
    due_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None
    timeline: list[ClockEventOut]

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return str(obj.target_label)

    @staticmethod
    def resolve_calendar(obj: Any) -> str | None:
        return obj.calendar.name if obj.calendar else None

    @staticmethod
    def resolve_timeline(obj: Any) -> list[Any]:
        return list(obj.events.all())
