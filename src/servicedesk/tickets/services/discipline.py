"""Taking work: an agent takes a ticket of their group, or a lead gives it to someone.

Scheduled work ahead of overdue work needs a supervisor's approval; that rule is checked by
`ticket_assign` itself (`overdue_first`), so taking, assigning, bulk assigning and the API all
meet the same guard.
"""

from __future__ import annotations

from django.db import transaction

from servicedesk.directory.models import Person
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.lifecycle import locked, refuse, require_staff, ticket_assign
from servicedesk.tickets.services.overdue_first import SCHEDULED_AHEAD_ACTION

__all__ = ["SCHEDULED_AHEAD_ACTION", "ticket_take"]


@transaction.atomic
def ticket_take(
    ticket: Ticket,
    *,
    actor: Person,
    version: int | None,
    assignee: Person | None = None,
    approval_reason: str = "",
) -> Ticket:
    """Assign the ticket to `assignee` (default: the actor) within its group."""
    require_staff(actor, "take tickets")
    current = locked(ticket, version)
    taker = assignee or actor
    if taker != actor and not actor.is_lead:
        raise refuse(
            TicketErrorCode.NOT_PERMITTED, "Only a lead hands work to someone else.", "assignee"
        )
    return ticket_assign(
        current,
        actor=actor,
        version=current.version,
        group=current.assignment_group,
        assignee=taker,
        approval_reason=approval_reason,
    )
