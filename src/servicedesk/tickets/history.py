"""Append-only history: every service that changes a ticket records what it changed here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from servicedesk.core.inserts import insert_rows
from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket, TicketHistory

# Fields whose every change is written to history, in the order a person reads them.
TRACKED_FIELDS = (
    "kind",
    "state",
    "short_description",
    "description",
    "requester",
    "requested_by",
    "channel",
    "agency",
    "location",
    "service",
    "category",
    "priority_code",
    "request_type",
    "impact",
    "severity",
    "priority",
    "priority_override_reason",
    "assignment_group",
    "assignee",
    "redirected_to",
    "resolution_note",
    "planned_for",
)

Snapshot = dict[str, str]


def _as_text(ticket: Ticket, name: str) -> str:
    field = Ticket._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        related = getattr(ticket, name)
        return "" if related is None else f"{related.pk}:{related}"
    value: Any = getattr(ticket, name)
    return "" if value is None else str(value)


def snapshot(ticket: Ticket, names: Iterable[str] = TRACKED_FIELDS) -> Snapshot:
    return {name: _as_text(ticket, name) for name in names}


def people_text(people: Iterable[Person]) -> str:
    return ", ".join(sorted(person.username for person in people))


def record(
    ticket: Ticket,
    actor: Person | None,
    action: str,
    field: str = "",
    before: str = "",
    after: str = "",
) -> TicketHistory:
    return TicketHistory.objects.create(
        ticket=ticket,
        actor=actor,
        at=timezone.now(),
        action=action,
        field=field,
        before=before,
        after=after,
    )


def record_many(
    entries: Iterable[tuple[Ticket, str, str]],
    *,
    actor: Person | None,
    action: str,
    at: datetime | None = None,
) -> list[TicketHistory]:
    """One entry (ticket, field, after) each, written in one statement."""
    when = at or timezone.now()
    return insert_rows(
        [
            TicketHistory(ticket=t, actor=actor, at=when, action=action, field=f, after=after)
            for t, f, after in entries
        ]
    )


def record_changes(
    ticket: Ticket, actor: Person | None, action: str, before: Snapshot, after: Snapshot
) -> list[TicketHistory]:
    now = timezone.now()
    entries = [
        TicketHistory(
            ticket=ticket,
            actor=actor,
            at=now,
            action=action,
            field=name,
            before=before[name],
            after=after[name],
        )
        for name in before
        if before[name] != after[name]
    ]
    return insert_rows(entries)
