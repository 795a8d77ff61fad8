"""Reads of drafts: a draft is visible to its owner only, staff included."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person
from servicedesk.tickets.models import TicketDraft


def drafts_of(viewer: Person | AnonymousUser) -> QuerySet[TicketDraft]:
    if not isinstance(viewer, Person) or not viewer.is_active:
        return TicketDraft.objects.none()
    return TicketDraft.objects.filter(owner=viewer).order_by("-updated_at", "-id")


# A person's newest drafts, listed on their portal home.
NEWEST_DRAFTS = 50


def _newest_drafts_owned(owner_id: int) -> QuerySet[TicketDraft]:
    return TicketDraft.objects.filter(owner_id=owner_id).order_by("-updated_at", "-id")[
        :NEWEST_DRAFTS
    ]


# On every portal home: compiled once (`core.kept_queries`).
_NEWEST_DRAFTS_OWNED = KeptQuery(_newest_drafts_owned)


def newest_drafts_of(viewer: Person | AnonymousUser) -> list[TicketDraft]:
    """`drafts_of`'s first `NEWEST_DRAFTS`."""
    if not isinstance(viewer, Person) or not viewer.is_active:
        return []
    return list(_NEWEST_DRAFTS_OWNED(viewer.pk))


def draft_get(viewer: Person | AnonymousUser, pk: int) -> TicketDraft:
    """Raises TicketDraft.DoesNotExist for a draft that is missing *or* someone else's."""
    return (
        drafts_of(viewer)
        .select_related("requester")
        .prefetch_related("attachments", "affected_people__agency")
        .get(pk=pk)
    )
