"""Reads of drafts: a draft is visible to its owner only, staff included."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from servicedesk.directory.models import Person
from servicedesk.tickets.models import TicketDraft


def drafts_of(viewer: Person | AnonymousUser) -> QuerySet[TicketDraft]:
    if not isinstance(viewer, Person) or not viewer.is_active:
        return TicketDraft.objects.none()
    return TicketDraft.objects.filter(owner=viewer).order_by("-updated_at", "-id")


def draft_get(viewer: Person | AnonymousUser, pk: int) -> TicketDraft:
    """Raises TicketDraft.DoesNotExist for a draft that is missing *or* someone else's."""
    return (
        drafts_of(viewer)
        .select_related("requester")
        .prefetch_related("attachments", "affected_people__agency")
        .get(pk=pk)
    )
