"""Reads of drafts: a draft is visible to its owner only, staff included."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptByShape
from servicedesk.directory.models import Person
from servicedesk.tickets.models import TicketDraft


def _drafts_owned(owner_id: int) -> QuerySet[TicketDraft]:
    return TicketDraft.objects.filter(owner_id=owner_id).order_by("-updated_at", "-id")


def drafts_of(viewer: Person | AnonymousUser) -> QuerySet[TicketDraft]:
    if not isinstance(viewer, Person) or not viewer.is_active:
        return TicketDraft.objects.none()
    return _drafts_owned(viewer.pk)


# The portal home's list: compiled once for its limit (`core.kept_queries`).
_NEWEST = KeptByShape(kept=4)


def newest_drafts_of(viewer: Person | AnonymousUser, limit: int) -> list[TicketDraft]:
    """`drafts_of`'s first `limit`."""
    if not isinstance(viewer, Person) or not viewer.is_active:
        return []

    def newest(owner_id: int) -> QuerySet[TicketDraft]:
        return _drafts_owned(owner_id)[:limit]

    return list(_NEWEST.of(("newest drafts", limit), newest, viewer.pk))


def draft_get(viewer: Person | AnonymousUser, pk: int) -> TicketDraft:
    """Raises TicketDraft.DoesNotExist for a draft that is missing *or* someone else's."""
    return (
        drafts_of(viewer)
        .select_related("requester")
        .prefetch_related("attachments", "affected_people__agency")
        .get(pk=pk)
    )
