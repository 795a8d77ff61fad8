"""What a requester may still do with a ticket: pure rules shared by services and pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import FINAL_STATES, OPEN_STATES


def speaks_for(person: Person, ticket: Ticket) -> bool:
    """The requester and whoever filed for them answer for the ticket (affected people don't)."""
    return person.pk in (ticket.requester_id, ticket.requested_by_id)


def dispute_deadline(ticket: Ticket) -> datetime | None:
    if ticket.state != TicketState.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=settings.SERVICEDESK_DISPUTE_WINDOW_DAYS)


def may_dispute(ticket: Ticket, now: datetime) -> bool:
    deadline = dispute_deadline(ticket)
    return deadline is not None and now < deadline


def may_reply(ticket: Ticket) -> bool:
    """Closed conversations stay closed: a new problem deserves a new ticket and a new clock."""
    return ticket.state not in FINAL_STATES


def may_flag_urgent(ticket: Ticket) -> bool:
    return ticket.state in OPEN_STATES


def may_file_for(actor: Person, requester: Person) -> bool:
    """Whom a ticket may name as its requester when `actor` files it ("Requested by").

    Staff file for anyone (a caller on the phone). An employee files for themselves or, as a
    colleague's stand-in, for someone of their own agency; the ticket records both people.
    """
    if requester.pk == actor.pk or actor.is_staff_member:
        return True
    return actor.agency_id is not None and requester.agency_id == actor.agency_id
