"""The one guard of the school district's discipline (its SLA procedure, scheduled maintenance,
step 4): "Overdue service requests must be worked ahead of the scheduled service requests unless
there is supervisor approval."

Every service through which a ticket reaches an agent calls `overdue_first_check`: taking,
assigning (one ticket or in bulk), moving it to assigned or in progress, from any face. While
an overdue ticket waits in the group, scheduled work reaches an agent only with the approval of
a supervisor — the service lead (or a manager or administrator above them) or the lead of the
ticket's group — given with a reason, which history records with their name and the queue shows.
"""

from __future__ import annotations

from django.db.models import Q

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets import history
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.events import EventName
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.scheduled_work import is_scheduled_work, overdue_count_in_group

SCHEDULED_AHEAD_ACTION = "ticket.scheduled_ahead"
# Roles that supervise every group; a group's own lead supervises that group.
SUPERVISING_ROLES = frozenset({Role.SERVICE_LEAD, Role.MANAGER, Role.ADMIN})


def may_approve_ahead(actor: Person, group: SupportGroup | None) -> bool:
    """The service lead (or above), or the lead of the ticket's group."""
    return actor.role in SUPERVISING_ROLES or (group is not None and group.lead_id == actor.pk)


def _tickets(count: int) -> str:
    return f"{count} overdue ticket{'s' if count != 1 else ''}"


def overdue_first_check(
    ticket: Ticket,
    *,
    actor: Person,
    group: SupportGroup | None,
    assignee: Person | None,
    approval_reason: str,
) -> str:
    """Refuse scheduled work reaching `assignee` in `group` ahead of overdue work without a
    supervisor's approval. Returns the approval reason to record, or "" when none is needed."""
    if assignee is None or not is_scheduled_work(ticket):
        return ""
    waiting = overdue_count_in_group(group)
    if not waiting:
        return ""
    reason = approval_reason.strip()
    if not may_approve_ahead(actor, group):
        lead = f" or {group.lead}, who leads {group}," if group and group.lead else ""
        raise TicketError(
            TicketErrorCode.APPROVAL_REQUIRED,
            f"{_tickets(waiting)} wait in this group; scheduled work goes after them unless a "
            f"supervisor (the service lead{lead}) approves and gives the reason.",
            field="approval_reason",
        )
    if not reason:
        raise TicketError(
            TicketErrorCode.NOTE_REQUIRED,
            f"{_tickets(waiting)} wait in this group; say why this scheduled work goes first.",
            field="approval_reason",
        )
    return reason


def approved_since_last_assignment(ticket: Ticket) -> bool:
    """Whether the ticket's latest assignment came with an approval to go ahead (so starting the
    work needs no second one)."""
    latest = (
        TicketHistory.objects.filter(ticket=ticket)
        .filter(Q(action=SCHEDULED_AHEAD_ACTION) | Q(action=EventName.ASSIGN))
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return latest == SCHEDULED_AHEAD_ACTION


def approval_record(ticket: Ticket, *, actor: Person, assignee: Person, reason: str) -> None:
    if reason:
        history.record(
            ticket,
            actor,
            SCHEDULED_AHEAD_ACTION,
            "approval",
            "",
            f"approved by {actor} for {assignee}: {reason}",
        )
