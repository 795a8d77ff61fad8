"""Taking work (the school district's SLA procedure, scheduled maintenance, step 4): "Overdue
service requests must be worked ahead of the scheduled service requests unless there is supervisor
approval."

The approval is the supervisor's own act: a lead takes or hands out the scheduled ticket and
gives the reason, which history records with their name. An agent asking alone is refused with
the number of overdue tickets waiting, so they know why and whom to ask.
"""

from __future__ import annotations

from django.db import transaction

from servicedesk.directory.models import Person
from servicedesk.tickets import history
from servicedesk.tickets.discipline import is_scheduled_work, overdue_count_in_group
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.lifecycle import locked, refuse, require_staff, ticket_assign

SCHEDULED_AHEAD_ACTION = "ticket.scheduled_ahead"


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
    if is_scheduled_work(current):
        waiting = overdue_count_in_group(current.assignment_group)
        if waiting:
            if not actor.is_lead:
                raise refuse(
                    TicketErrorCode.NOT_PERMITTED,
                    f"{waiting} overdue ticket{'s' if waiting != 1 else ''} wait in this group; "
                    "scheduled work goes after them unless a supervisor approves.",
                    "approval_reason",
                )
            if not approval_reason.strip():
                raise refuse(
                    TicketErrorCode.NOTE_REQUIRED,
                    f"{waiting} overdue ticket{'s' if waiting != 1 else ''} wait in this group; "
                    "say why this scheduled work goes first.",
                    "approval_reason",
                )
    taken = ticket_assign(
        current,
        actor=actor,
        version=current.version,
        group=current.assignment_group,
        assignee=taker,
    )
    if approval_reason.strip() and is_scheduled_work(current):
        history.record(
            taken,
            actor,
            SCHEDULED_AHEAD_ACTION,
            "approval",
            "",
            f"approved by {actor} for {taker}: {approval_reason.strip()}",
        )
    return taken
