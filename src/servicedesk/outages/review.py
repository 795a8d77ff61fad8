"""The review of a major incident: its timeline (from the parent ticket's history), durations
and scope. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from servicedesk.outages.major_selectors import Scope, major_scope
from servicedesk.outages.models import Communication, MajorIncident
from servicedesk.tickets.models import TicketHistory

# History actions that make up the timeline, with the sentence's key (the template words it).
TIMELINE_ACTIONS = (
    "major.declare",
    "major.notify",
    "major.attach",
    "major.update",
    "major.correction",
    "major.withdrawal",
    "major.resolution",
    "major.resolve",
    "major.scope",
    "major.leave",
    "major.root_cause",
    "ticket.resolved",
    "ticket.closed",
)


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    who: str
    action: str
    detail: str


@dataclass(frozen=True)
class Review:
    major: MajorIncident
    timeline: list[TimelineLine]
    time_to_declare: timedelta
    time_to_first_update: timedelta | None
    time_to_resolve: timedelta | None
    scope: Scope
    communications: list[Communication]


def _detail(entry: TicketHistory) -> str:
    if entry.action == "major.attach":
        return f"{entry.before}: {entry.after}"
    return entry.after or entry.before


def major_timeline(major: MajorIncident) -> list[TimelineLine]:
    entries = (
        TicketHistory.objects.filter(ticket_id=major.ticket_id, action__in=TIMELINE_ACTIONS)
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        TimelineLine(
            at=entry.at,
            who=str(entry.actor) if entry.actor else "Servicedesk",
            action=entry.action,
            detail=_detail(entry),
        )
        for entry in entries
        if not (entry.action.startswith("ticket.") and entry.field not in ("state", "links"))
    ]


def major_review(major: MajorIncident) -> Review:
    ticket = major.ticket
    communications = list(
        major.communications.prefetch_related("sends").select_related("author").order_by("at")
    )
    first_update = next((c.at for c in communications if c.kind == "update"), None)
    return Review(
        major=major,
        timeline=major_timeline(major),
        time_to_declare=major.declared_at - ticket.created_at,
        time_to_first_update=first_update - major.declared_at if first_update else None,
        time_to_resolve=major.resolved_at - major.declared_at if major.resolved_at else None,
        scope=major_scope(major),
        communications=communications,
    )
