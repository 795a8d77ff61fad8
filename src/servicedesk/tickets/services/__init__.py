"""Every write to tickets goes through these functions (see lifecycle and collaboration)."""

from servicedesk.tickets.services.bulk import BulkAction, BulkResult, tickets_bulk
from servicedesk.tickets.services.collaboration import (
    attachment_add,
    comment_add,
    ticket_join_as_affected,
    ticket_link,
    ticket_watch,
    tickets_link_many,
)
from servicedesk.tickets.services.conversion import ticket_convert
from servicedesk.tickets.services.discipline import ticket_take
from servicedesk.tickets.services.escalation import ticket_escalate, ticket_resolve_to_desk
from servicedesk.tickets.services.lifecycle import (
    ticket_assign,
    ticket_create,
    ticket_set_affected,
    ticket_transition,
    ticket_update,
)
from servicedesk.tickets.services.maintenance import scheduled_follow_ups_remind, ticket_plan
from servicedesk.tickets.services.related_work import (
    problem_open_from,
    task_create,
    ticket_mark_duplicate,
)
from servicedesk.tickets.services.triage import ticket_triage

__all__ = [
    "BulkAction",
    "BulkResult",
    "attachment_add",
    "comment_add",
    "problem_open_from",
    "scheduled_follow_ups_remind",
    "task_create",
    "ticket_assign",
    "ticket_convert",
    "ticket_create",
    "ticket_escalate",
    "ticket_join_as_affected",
    "ticket_link",
    "ticket_mark_duplicate",
    "ticket_plan",
    "ticket_resolve_to_desk",
    "ticket_set_affected",
    "ticket_take",
    "ticket_transition",
    "ticket_triage",
    "ticket_update",
    "ticket_watch",
    "tickets_bulk",
    "tickets_link_many",
]
