"""Bulk actions over tickets an agent ticked in a queue: each ticket is its own transaction
through the ordinary services, so one refusal never undoes the others, and the summary says
what happened to each. Tickets outside the agent's scope are reported as not found, exactly
as a missing number is (no hint that they exist)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import LinkKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.collaboration import comment_add, ticket_link
from servicedesk.tickets.services.lifecycle import (
    refuse,
    require_staff,
    ticket_assign,
    ticket_transition,
)

MAX_BULK = 200


class BulkAction(StrEnum):
    ASSIGN = "assign"
    STATE = "state"
    CLOSE = "close"
    LINK_PARENT = "link-parent"


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [f"{len(self.done)} done"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        if self.not_found:
            parts.append(f"{len(self.not_found)} not found")
        return ", ".join(parts)


def _parent(actor: Person, number: str) -> Ticket:
    wanted = number.strip().upper()
    if not wanted:
        raise refuse(TicketErrorCode.REQUIRED, "Give the parent ticket's number.", "parent")
    parent = visible_tickets(actor).filter(number=wanted).first()
    if parent is None:
        raise refuse(TicketErrorCode.INVALID_VALUE, f"No ticket {wanted}.", "parent")
    return parent


def _link_to_parent(ticket: Ticket, parent: Ticket, actor: Person) -> None:
    if ticket.pk == parent.pk:
        raise refuse(TicketErrorCode.LINK_TO_SELF, "A ticket cannot be its own parent.", "parent")
    # Two tickets each the other's parent could never close.
    if parent.links_out.filter(target=ticket, kind=LinkKind.CHILD_OF).exists():
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            f"{parent.number} is already a child of {ticket.number}.",
            "parent",
        )
    ticket_link(ticket, parent, actor=actor, kind=LinkKind.CHILD_OF)


def tickets_bulk(
    numbers: Sequence[str],
    *,
    actor: Person,
    action: BulkAction,
    group: SupportGroup | None = None,
    assignee: Person | None = None,
    to: TicketState | None = None,
    note: str = "",
    parent_number: str = "",
    approval_reason: str = "",
) -> BulkResult:
    """assign: to `group`/`assignee`; state: move to `to` with `note`; close: post `note` as a
    public reply, then close (only resolved tickets can close; others are refused);
    link-parent: link each as a child of ticket `parent_number`, which then cannot close while
    they are open. A parent the actor cannot see is refused as not found, before anything.
    `approval_reason`: a supervisor's reason for scheduled work going ahead of overdue work."""
    require_staff(actor, "change tickets in bulk")
    parent = _parent(actor, parent_number) if action == BulkAction.LINK_PARENT else None
    wanted = [number.strip().upper() for number in numbers[:MAX_BULK] if number.strip()]
    found = {t.number: t for t in visible_tickets(actor).filter(number__in=wanted)}
    result = BulkResult()

    def apply(ticket: Ticket) -> None:
        if action == BulkAction.ASSIGN:
            ticket_assign(
                ticket,
                actor=actor,
                version=None,
                group=group,
                assignee=assignee,
                approval_reason=approval_reason,
            )
        elif action == BulkAction.LINK_PARENT:
            assert parent is not None
            _link_to_parent(ticket, parent, actor)
        elif action == BulkAction.STATE:
            if to is None:
                raise ValueError("a state action needs `to`")
            ticket_transition(
                ticket,
                actor=actor,
                version=None,
                to=to,
                note=note,
                approval_reason=approval_reason,
            )
        else:
            if note.strip():
                comment_add(ticket, actor=actor, body=note)
            # Refused (and the note rolled back) unless the ticket is resolved.
            ticket_transition(ticket, actor=actor, version=None, to=TicketState.CLOSED)

    for number in wanted:
        ticket = found.get(number)
        if ticket is None:
            result.not_found.append(number)
            continue
        try:
            with transaction.atomic():
                apply(ticket)
        except TicketError as refused:
            result.refused.append((number, refused.message))
        else:
            result.done.append(number)
    return result
