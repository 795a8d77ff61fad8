"""Held mail, reviewed: release it (post it as it came) or discard it, each decision recorded.

Mail is held (`InboundState.QUARANTINED`, with `held_because`) when it cannot be trusted as it
stands: a From of our own domain that our server saw fail authentication, a staff address not
confirmed, a forged reply token, a reply from someone who does not take part in the ticket, an
unknown sender, a loop or a flood. A reviewer who knows the sender is genuine releases it: it is
processed again without the trust checks and brakes that held it. Or they discard it for good.

Who reviews: staff who know every ticket (the access policy's "everything" scope: admins,
managers, and the desk that serves every agency), since held mail may belong to any ticket.
Every decision writes an `InboundReview` entry (append-only).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.mail.choices import InboundState, ReviewAction
from servicedesk.mail.ingest import process_message
from servicedesk.mail.models import InboundMessage, InboundReview
from servicedesk.tickets.access import ticket_scope


class ReviewRefusedError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def may_review(person: Person) -> bool:
    return person.is_active and person.is_staff_member and ticket_scope(person).everything


def held_messages(person: Person) -> QuerySet[InboundMessage]:
    """Held mail, oldest first, for those who may review it (nobody else sees any)."""
    if not may_review(person):
        return InboundMessage.objects.none()
    return (
        InboundMessage.objects.filter(state=InboundState.QUARANTINED)
        .defer("raw")
        .select_related("mailbox", "ticket")
        .order_by("received_at", "pk")
    )


def held_count(person: Person) -> int | None:
    """How much mail waits for review (the nav's badge); None for who may not review it."""
    if not may_review(person):
        return None
    return InboundMessage.objects.filter(state=InboundState.QUARANTINED).count()


def recent_reviews(person: Person, limit: int = 20) -> list[InboundReview]:
    if not may_review(person):
        return []
    return list(
        InboundReview.objects.select_related("actor", "message", "message__ticket")
        .defer("message__raw")
        .order_by("-at", "-pk")[:limit]
    )


def _locked_held(row: InboundMessage, actor: Person) -> InboundMessage:
    if not may_review(actor):
        raise ReviewRefusedError("Only the desk that knows every ticket reviews held mail.")
    current = InboundMessage.objects.select_for_update().get(pk=row.pk)
    if current.state != InboundState.QUARANTINED:
        raise ReviewRefusedError("This message is no longer held (someone reviewed it already).")
    return current


def _record(
    row: InboundMessage, *, actor: Person, action: ReviewAction, note: str
) -> InboundReview:
    return InboundReview.objects.create(
        message=row,
        actor=actor,
        action=action,
        state_before=row.state,
        reason_before=row.reason,
        note=note.strip()[:2000],
    )


@transaction.atomic
def held_release(row: InboundMessage, *, actor: Person, note: str = "") -> InboundMessage:
    """Post the held message as it came: the reviewer vouches for its sender."""
    current = _locked_held(row, actor)
    _record(current, actor=actor, action=ReviewAction.RELEASED, note=note)
    InboundMessage.objects.filter(pk=current.pk).update(
        state=InboundState.RECEIVED, reason="", processed_at=None
    )
    return process_message(current, vouched=True)


@transaction.atomic
def held_discard(row: InboundMessage, *, actor: Person, note: str = "") -> InboundMessage:
    """Drop the held message for good (it stays stored, as evidence)."""
    current = _locked_held(row, actor)
    _record(current, actor=actor, action=ReviewAction.DISCARDED, note=note)
    current.state = InboundState.DISCARDED
    current.processed_at = timezone.now()
    current.save(update_fields=["state", "processed_at"])
    return current
