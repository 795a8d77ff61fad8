"""Drafts of portal tickets, and filing a ticket with its files and affected people at once.

A draft belongs to whoever started it; only they can see, change, submit or delete it. Files
staged on a draft are stored under generated names and become ticket attachments on submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from servicedesk.catalog.answers import RawValue
from servicedesk.catalog.models import RequestType
from servicedesk.core.limits import person_limit_hit
from servicedesk.directory.models import Person
from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.models import DraftAttachment, Ticket, TicketDraft
from servicedesk.tickets.requester_rules import may_file_for
from servicedesk.tickets.services.collaboration import attachment_add
from servicedesk.tickets.services.lifecycle import refuse, ticket_create

# The portal files incidents and service requests; problems and tasks are the desk's own.
FILABLE_KINDS = frozenset({TicketKind.INCIDENT, TicketKind.REQUEST})
PORTAL_FILING_LIMIT = "portal.filing"
SHORT_DESCRIPTION_MAX = Ticket._meta.get_field("short_description").max_length or 160


def check_uploads(uploads: Iterable[UploadedFile]) -> None:
    """Refuse the whole batch if one file breaks the attachment policy (type or size)."""
    for upload in uploads:
        refusal = upload_refusal_from_settings(display_name(upload.name), upload.size or 0)
        if refusal:
            raise refuse(TicketErrorCode.INVALID_VALUE, refusal, "attachments")


def _check_filing(actor: Person, kind: TicketKind | str, requester: Person | None) -> None:
    if kind not in FILABLE_KINDS:
        raise refuse(TicketErrorCode.INVALID_VALUE, "Choose an incident or a request.", "kind")
    if requester is not None and not may_file_for(actor, requester):
        raise refuse(
            TicketErrorCode.NOT_PERMITTED,
            "You can file for colleagues of your own agency; the service desk files for anyone.",
            "requester",
        )


def _delete_files_after_commit(staged: Iterable[DraftAttachment]) -> None:
    # Files are removed only once the rows are gone for good; a rollback keeps both.
    names = [(item.file.storage, item.file.name) for item in staged if item.file.name]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def ticket_file(
    *,
    actor: Person,
    kind: TicketKind,
    short_description: str,
    description: str,
    requester: Person | None = None,
    affected_people: Iterable[Person] = (),
    uploads: Iterable[UploadedFile] = (),
    request_type: RequestType | None = None,
    answers: Mapping[str, RawValue] | None = None,
) -> Ticket:
    """A ticket from the portal with its affected people, files and (for a request type from
    the catalog) the answers to its form: all of it, or nothing.

    Raises `core.limits.RateLimited` when the actor has filed as many tickets as the portal
    filing limit allows in its window (a script or a stuck key must not flood the desk).
    """
    files = list(uploads)
    _check_filing(actor, kind, requester)
    check_uploads(files)
    person_limit_hit(PORTAL_FILING_LIMIT, actor.pk)
    ticket = ticket_create(
        actor=actor,
        kind=kind,
        short_description=short_description,
        description=description,
        requester=requester,
        affected_people=affected_people,
        channel=Channel.PORTAL,
        request_type=request_type,
        answers=answers,
    )
    for upload in files:
        attachment_add(ticket, actor=actor, upload=upload)
    return ticket


def _owned(draft: TicketDraft, actor: Person) -> TicketDraft:
    current = TicketDraft.objects.select_for_update().get(pk=draft.pk)
    if current.owner_id != actor.pk:
        raise refuse(TicketErrorCode.NOT_PERMITTED, "This draft is not yours.")
    return current


@transaction.atomic
def draft_save(
    draft: TicketDraft | None,
    *,
    actor: Person,
    kind: TicketKind,
    short_description: str,
    description: str,
    requester: Person | None = None,
    affected_people: Iterable[Person] = (),
    uploads: Iterable[UploadedFile] = (),
    remove_attachment_ids: Iterable[int] = (),
    request_type: RequestType | None = None,
    answers: Mapping[str, RawValue] | None = None,
) -> TicketDraft:
    """Create or update a draft. Nothing is required yet; limits and the file policy still hold."""
    files = list(uploads)
    _check_filing(actor, kind, requester)
    check_uploads(files)
    if len(short_description) > SHORT_DESCRIPTION_MAX:
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            f"Keep the short description to {SHORT_DESCRIPTION_MAX} characters.",
            "short_description",
        )
    current = TicketDraft(owner=actor, kind=kind) if draft is None else _owned(draft, actor)
    current.kind = kind
    current.requester = None if requester == actor else requester
    current.short_description = short_description.strip()
    current.description = description
    current.request_type = request_type
    current.answers = {
        key: value if isinstance(value, str) else list(value or [])
        for key, value in (answers or {}).items()
    }
    current.updated_at = timezone.now()
    current.save()
    current.affected_people.set(list(affected_people))
    removed = list(current.attachments.filter(pk__in=list(remove_attachment_ids)))
    for item in removed:
        item.delete()
    _delete_files_after_commit(removed)
    for upload in files:
        staged = DraftAttachment(
            draft=current, original_name=display_name(upload.name), size=upload.size or 0
        )
        staged.file.save(staged.original_name, upload, save=False)
        staged.save()
    return current


@transaction.atomic
def draft_submit(draft: TicketDraft, *, actor: Person) -> Ticket:
    """File the draft as a ticket (with its staged files and affected people), then drop it."""
    current = _owned(draft, actor)
    staged = list(current.attachments.all())
    uploads = [
        UploadedFile(
            file=item.file.storage.open(item.file.name, "rb"),
            name=item.original_name,
            size=item.size,
        )
        for item in staged
    ]
    try:
        ticket = ticket_file(
            actor=actor,
            kind=TicketKind(current.kind),
            short_description=current.short_description,
            description=current.description,
            requester=current.requester,
            affected_people=list(current.affected_people.all()),
            uploads=uploads,
            request_type=current.request_type,
            answers=current.answers,
        )
    finally:
        for upload in uploads:
            upload.close()
    current.delete()
    _delete_files_after_commit(staged)
    return ticket


@transaction.atomic
def draft_delete(draft: TicketDraft, *, actor: Person) -> None:
    current = _owned(draft, actor)
    staged = list(current.attachments.all())
    current.delete()
    _delete_files_after_commit(staged)
