"""After the desk resolves a ticket: the requester confirms or disputes, and answers a survey.

A resolved ticket that nobody disputes closes by itself when the dispute window ends
(`resolutions_close_expired`, run by `tickets.tasks.close_expired_resolutions`). Services need a
person as actor, so those automatic closures are made by a system person (see `system_actor`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.directory.services import system_actor
from servicedesk.tickets import history
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.limits import check_lengths
from servicedesk.tickets.models import SatisfactionSurvey, Ticket
from servicedesk.tickets.requester_rules import dispute_deadline, may_dispute, speaks_for
from servicedesk.tickets.services.lifecycle import locked, refuse, ticket_transition

logger = logging.getLogger(__name__)

RATINGS = range(1, 6)


def _require_requester_side(actor: Person, ticket: Ticket, what: str) -> None:
    if not actor.is_staff_member and not speaks_for(actor, ticket):
        raise refuse(TicketErrorCode.NOT_PERMITTED, f"Only the requester can {what}.")


@transaction.atomic
def resolution_confirm(ticket: Ticket, *, actor: Person) -> Ticket:
    """The requester agrees the issue is fixed: the ticket closes."""
    return ticket_transition(ticket, actor=actor, version=None, to=TicketState.CLOSED)


@transaction.atomic
def resolution_dispute(ticket: Ticket, *, actor: Person, reason: str) -> Ticket:
    """Not fixed after all: back to in progress with the reason, while the window is open."""
    check_lengths(reason=reason)
    if not reason.strip():
        raise refuse(TicketErrorCode.NOTE_REQUIRED, "Tell the desk what is still wrong.", "reason")
    current = locked(ticket, None)
    _require_requester_side(actor, current, "dispute a resolution")
    if current.state == TicketState.RESOLVED and not may_dispute(current, timezone.now()):
        deadline = dispute_deadline(current)
        ended = f" ended {deadline:%b %-d, %H:%M}" if deadline else " has ended"
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"The window to dispute this resolution{ended}; please file a new ticket.",
            "reason",
        )
    return ticket_transition(
        current, actor=actor, version=None, to=TicketState.IN_PROGRESS, note=reason
    )


def resolutions_close_expired(now: datetime | None = None) -> list[str]:
    """Close every resolved ticket whose dispute window has passed; returns their numbers.

    One transaction per ticket, so one refusal (say, open tasks) never blocks the others.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SERVICEDESK_DISPUTE_WINDOW_DAYS)
    actor = system_actor()
    days = settings.SERVICEDESK_DISPUTE_WINDOW_DAYS
    note = f"Closed automatically: not disputed within {days} days of resolution."
    closed: list[str] = []
    expired = Ticket.objects.filter(state=TicketState.RESOLVED, resolved_at__lte=cutoff)
    for ticket in expired.order_by("resolved_at"):
        try:
            with transaction.atomic():
                current = locked(ticket, None)
                # Re-checked under the lock: it may have been disputed and re-resolved since.
                if current.state != TicketState.RESOLVED or not current.resolved_at:
                    continue
                if current.resolved_at > cutoff:
                    continue
                ticket_transition(
                    current, actor=actor, version=None, to=TicketState.CLOSED, note=note
                )
        except TicketError as refused:
            logger.warning("Could not close %s automatically: %s", ticket.number, refused)
            continue
        closed.append(ticket.number)
    return closed


@transaction.atomic
def survey_submit(
    ticket: Ticket, *, actor: Person, rating: int, comment: str = ""
) -> SatisfactionSurvey:
    """One answer per ticket, from the requester, once the ticket is closed."""
    current = locked(ticket, None)
    if not speaks_for(actor, current):
        raise refuse(TicketErrorCode.NOT_PERMITTED, "Only the requester answers this survey.")
    if current.state != TicketState.CLOSED:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION, "The survey opens once the ticket is closed."
        )
    if rating not in RATINGS:
        raise refuse(TicketErrorCode.INVALID_VALUE, "Choose a rating from 1 to 5.", "rating")
    if SatisfactionSurvey.objects.filter(ticket=current).exists():
        raise refuse(TicketErrorCode.INVALID_VALUE, "This survey has already been answered.")
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(
                ticket=current, respondent=actor, rating=rating, comment=comment.strip()
            )
    except IntegrityError as clash:
        raise refuse(
            TicketErrorCode.INVALID_VALUE, "This survey has already been answered."
        ) from clash
    history.record(current, actor, "survey.answer", "satisfaction", "", f"{rating}/5")
    return survey
