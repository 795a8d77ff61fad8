"""Every write to tickets goes through these functions (see lifecycle and collaboration)."""

from servicedesk.tickets.services.collaboration import attachment_add, comment_add, ticket_link
from servicedesk.tickets.services.lifecycle import (
    ticket_assign,
    ticket_create,
    ticket_set_affected,
    ticket_transition,
    ticket_update,
)

__all__ = [
    "attachment_add",
    "comment_add",
    "ticket_assign",
    "ticket_create",
    "ticket_link",
    "ticket_set_affected",
    "ticket_transition",
    "ticket_update",
]
