"""Writes of the workspace's own rows: saved views and canned responses.

Each raises `WorkspaceError` (with the field at fault) and changes nothing, or applies fully.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.queues import Queue
from servicedesk.workspace.canned import PLACEHOLDERS, unknown_placeholders
from servicedesk.workspace.errors import WorkspaceError, WorkspaceErrorCode
from servicedesk.workspace.models import CannedResponse, SavedView
from servicedesk.workspace.selectors import (
    groups_shareable_by,
    may_manage,
    may_share_with_everyone,
    saved_views_of,
)

# Each view is one COUNT in the polled nav; a dozen keeps that cheap and the nav readable.
MAX_SAVED_VIEWS = 12


def _refuse(code: WorkspaceErrorCode, message: str, field: str) -> WorkspaceError:
    return WorkspaceError(code, message, field=field)


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())[:60]
    if not cleaned:
        raise _refuse(WorkspaceErrorCode.REQUIRED, "Give the view a name.", "name")
    return cleaned


def _require_free_name(owner: Person, name: str, exclude_pk: int | None = None) -> None:
    taken = saved_views_of(owner).filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _refuse(
            WorkspaceErrorCode.NAME_TAKEN, f"You already have a view called {name}.", "name"
        )


@transaction.atomic
def saved_view_create(owner: Person, *, name: str, queue: str, query: str) -> SavedView:
    """`query` is already allow-listed (`selectors.view_query`); it goes last in the nav."""
    cleaned = _clean_name(name)
    if queue not in {known.value for known in Queue}:
        raise _refuse(WorkspaceErrorCode.UNKNOWN_QUEUE, "Choose a queue to save.", "name")
    mine = saved_views_of(owner).select_for_update()
    if mine.count() >= MAX_SAVED_VIEWS:
        raise _refuse(
            WorkspaceErrorCode.TOO_MANY,
            f"You have {MAX_SAVED_VIEWS} saved views already; delete one first.",
            "name",
        )
    _require_free_name(owner, cleaned)
    last = mine.aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=owner,
                name=cleaned,
                queue=queue,
                query=query[:500],
                position=0 if last is None else last + 1,
            )
    except IntegrityError as clash:  # the same name saved twice at once
        raise _refuse(
            WorkspaceErrorCode.NAME_TAKEN, f"You already have a view called {cleaned}.", "name"
        ) from clash


@transaction.atomic
def saved_view_rename(view: SavedView, *, owner: Person, name: str) -> SavedView:
    if view.owner_id != owner.pk:
        raise _refuse(WorkspaceErrorCode.NOT_PERMITTED, "This is not your view.", "name")
    cleaned = _clean_name(name)
    _require_free_name(owner, cleaned, exclude_pk=view.pk)
    view.name = cleaned
    view.save(update_fields=["name"])
    return view


def saved_view_delete(view: SavedView, *, owner: Person) -> None:
    if view.owner_id != owner.pk:
        raise _refuse(WorkspaceErrorCode.NOT_PERMITTED, "This is not your view.", "name")
    view.delete()


# --- Canned responses ---------------------------------------------------------------------------

EVERYONE = "everyone"
ONLY_ME = "me"


def _audience(actor: Person, audience: str) -> tuple[Person | None, SupportGroup | None]:
    """(owner, group) for an audience: "me", "everyone" or "group:<pk>"."""
    if audience == ONLY_ME:
        return actor, None
    if audience == EVERYONE:
        if not may_share_with_everyone(actor):
            raise _refuse(
                WorkspaceErrorCode.NOT_PERMITTED,
                "Only an administrator shares a response with everyone.",
                "audience",
            )
        return None, None
    kind, _, pk = audience.partition(":")
    group = (
        groups_shareable_by(actor).filter(pk=int(pk)).first()
        if kind == "group" and pk.isdigit()
        else None
    )
    if group is None:
        raise _refuse(
            WorkspaceErrorCode.NOT_PERMITTED,
            "You can share only with the groups you lead.",
            "audience",
        )
    return None, group


def _clean_text(title: str, body: str) -> tuple[str, str]:
    if not title.strip():
        raise _refuse(WorkspaceErrorCode.REQUIRED, "Give the response a title.", "title")
    if not body.strip():
        raise _refuse(WorkspaceErrorCode.REQUIRED, "Write the response.", "body")
    unknown = unknown_placeholders(body)
    if unknown:
        known = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
        raise _refuse(
            WorkspaceErrorCode.UNKNOWN_PLACEHOLDER,
            f"Unknown placeholder {{{{ {unknown[0]} }}}}; the ones that exist are {known}.",
            "body",
        )
    return title.strip()[:80], body.strip()


@transaction.atomic
def canned_response_create(
    actor: Person, *, title: str, body: str, audience: str = ONLY_ME
) -> CannedResponse:
    _require_staff(actor)
    title, body = _clean_text(title, body)
    owner, group = _audience(actor, audience)
    return CannedResponse.objects.create(
        title=title, body=body, owner=owner, group=group, created_by=actor
    )


@transaction.atomic
def canned_response_update(
    response: CannedResponse, *, actor: Person, title: str, body: str, audience: str
) -> CannedResponse:
    _require_staff(actor)
    if not may_manage(actor, response):
        raise _refuse(WorkspaceErrorCode.NOT_PERMITTED, "You cannot change this response.", "title")
    title, body = _clean_text(title, body)
    owner, group = _audience(actor, audience)
    response.title, response.body, response.owner, response.group = title, body, owner, group
    response.updated_at = timezone.now()
    response.save()
    return response


def canned_response_delete(response: CannedResponse, *, actor: Person) -> None:
    if not may_manage(actor, response):
        raise _refuse(WorkspaceErrorCode.NOT_PERMITTED, "You cannot delete this response.", "title")
    response.delete()


def _require_staff(actor: Person) -> None:
    if not actor.is_staff_member:
        raise _refuse(
            WorkspaceErrorCode.NOT_PERMITTED, "Only staff keep canned responses.", "title"
        )
