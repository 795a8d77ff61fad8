"""Reads of received mail for the faces, through the access policy.

The original of a message (the raw bytes as they arrived: every header, every part, the files
the desk refused too) is for the staff who may read the ticket's internal notes: agents who know
the ticket, by `tickets.access`. Requesters see what the ticket shows, never the raw mail.
"""

from __future__ import annotations

from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.mail.models import InboundMessage
from servicedesk.tickets.access import TicketAction, Viewer
from servicedesk.tickets.access_in_hand import may_in_hand
from servicedesk.tickets.models import Ticket


def _of_ticket(viewer: Viewer, ticket: Ticket) -> QuerySet[InboundMessage]:
    if not may_in_hand(viewer, TicketAction.READ_INTERNAL, ticket):
        return InboundMessage.objects.none()
    return InboundMessage.objects.filter(ticket=ticket)


def _listed_for(ticket_id: int) -> QuerySet[InboundMessage]:
    return (
        InboundMessage.objects.filter(ticket_id=ticket_id)
        .defer("raw")
        .order_by("received_at", "pk")
    )


_LISTED_FOR = KeptQuery(_listed_for)  # on every agent's ticket page: compiled once


def received_mails(viewer: Viewer, ticket: Ticket) -> list[InboundMessage]:
    """The mails that filed or answered this ticket, oldest first, without their bytes."""
    if not may_in_hand(viewer, TicketAction.READ_INTERNAL, ticket):
        return []
    return list(_LISTED_FOR(ticket.pk))


def received_mail(viewer: Viewer, ticket: Ticket, pk: int) -> InboundMessage | None:
    """One of them with its bytes, or None when it is not this ticket's or not the viewer's."""
    return _of_ticket(viewer, ticket).filter(pk=pk).first()
