"""The SLA simulator: a calendar, a target and a start (plus pauses) → the due time and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.engine import Clock, Target
from servicedesk.sla.explain import clock_summary
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.sla.rules import describe_target, target_of
from servicedesk.sla.services import local_stamp


@dataclass(frozen=True)
class Simulation:
    target_label: str
    due_at: datetime | None
    timeline: list[str]
    summary: str


def simulate(
    calendar: BusinessCalendar,
    target_rule: SlaRule,
    start: datetime,
    pauses: list[tuple[datetime, datetime]],
) -> Simulation:
    engine = engine_calendar(calendar)
    target: Target = target_of(target_rule)
    clock = Clock(target, engine, start)
    label = describe_target(target_rule)
    lines = [f"{local_stamp(start)}: started, {label}"]
    for begin, end in pauses:
        clock.pause(begin)
        clock.resume(end)
        lines.append(f"{local_stamp(begin)} – {local_stamp(end)}: paused")
    due = clock.due_at
    lines.append(f"due {local_stamp(due)}" if due else "no due time: no SLA applies")
    horizon = due or start
    return Simulation(label, due, lines, clock_summary(calendar, clock, horizon))
