"""`/tickets/{number}/…`: transition, assign, convert, comments, attachments and links."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Router, Status, UploadedFile

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, WRITE_ERRORS, ApiError, ApiErrorCode
from servicedesk.api.params import version_read
from servicedesk.api.references import resolve_one
from servicedesk.api.routers.tickets import tagged
from servicedesk.api.schemas.common import Id
from servicedesk.api.schemas.sla import ClockOut
from servicedesk.api.schemas.tickets import (
    AssignIn,
    AttachmentOut,
    CommentIn,
    CommentOut,
    ConvertIn,
    LinkIn,
    LinkOut,
    TicketOut,
    TransitionIn,
)
from servicedesk.api.selectors import (
    api_ticket_attachments,
    api_ticket_clocks,
    api_ticket_comments,
    api_ticket_get,
    api_ticket_links,
    api_ticket_written,
)
from servicedesk.core.downloads import file_download
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.models import Attachment, Comment, Ticket, TicketLink
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_assign,
    ticket_convert,
    ticket_link,
    ticket_transition,
)

router = Router(tags=["ticket actions"])

# Keyed by the int 200, like ninja's own entry, so the two merge: a "200" string beside it would
# put the key in the schema twice, which YAML-reading clients (Swagger UI among them) reject.
BINARY_RESPONSE = {
    "responses": {
        200: {
            "description": "The file, always as a download.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@router.post("/{number}/transition", response={200: TicketOut, **WRITE_ERRORS})
def ticket_transition_action(
    request: HttpRequest, number: str, payload: TransitionIn, response: HttpResponse
) -> Ticket:
    """Move the ticket to another state. Resolving and cancelling need a `note`; redirecting
    needs `help_desk`. A requester may only confirm, dispute or withdraw their own ticket."""
    viewer = caller(request)
    ticket = ticket_transition(
        api_ticket_get(viewer, number),
        actor=viewer,
        version=version_read(request, payload.version),
        to=TicketState(payload.to),
        note=payload.note,
        help_desk=resolve_one("help_desk", payload.help_desk),
        force_reason=payload.force_reason,
        approval_reason=payload.approval_reason,
    )
    ticket = api_ticket_written(ticket)
    tagged(response, ticket)
    return ticket


@router.post("/{number}/assign", response={200: TicketOut, **WRITE_ERRORS})
def ticket_assign_action(
    request: HttpRequest, number: str, payload: AssignIn, response: HttpResponse
) -> Ticket:
    """Assign to a group, a person in it, or both. Staff only."""
    viewer = caller(request)
    ticket = ticket_assign(
        api_ticket_get(viewer, number),
        actor=viewer,
        version=version_read(request, payload.version),
        group=resolve_one("group", payload.group),
        assignee=resolve_one("assignee", payload.assignee),
        approval_reason=payload.approval_reason,
    )
    ticket = api_ticket_written(ticket)
    tagged(response, ticket)
    return ticket


@router.post("/{number}/convert", response={200: TicketOut, **WRITE_ERRORS})
def ticket_convert_action(
    request: HttpRequest, number: str, payload: ConvertIn, response: HttpResponse
) -> Ticket:
    """Make an open incident a service request, or a service request an incident. The ticket
    keeps its number and conversation; its SLA clocks are re-planned from submission on the new
    kind's targets. Staff only."""
    viewer = caller(request)
    ticket = ticket_convert(
        api_ticket_get(viewer, number),
        actor=viewer,
        version=version_read(request, payload.version),
        to=TicketKind(payload.kind.value),
        reason=payload.reason,
    )
    ticket = api_ticket_written(ticket)
    tagged(response, ticket)
    return ticket


@router.get("/{number}/comments", response={200: list[CommentOut], **ERRORS})
def ticket_comments(request: HttpRequest, number: str) -> list[Comment]:
    """Replies, and for staff also internal notes, oldest first."""
    viewer = caller(request)
    return list(api_ticket_comments(viewer, api_ticket_get(viewer, number)))


@router.post("/{number}/comments", response={201: CommentOut, **WRITE_ERRORS})
def ticket_comment_add(request: HttpRequest, number: str, payload: CommentIn) -> Status[Comment]:
    """A public reply, or (staff only) an internal note with `internal: true`."""
    viewer = caller(request)
    comment = comment_add(
        api_ticket_get(viewer, number),
        actor=viewer,
        body=payload.body,
        internal=payload.internal,
        channel=Channel.API,
    )
    return Status(201, comment)


@router.get("/{number}/attachments", response={200: list[AttachmentOut], **ERRORS})
def ticket_attachments(request: HttpRequest, number: str) -> list[Attachment]:
    viewer = caller(request)
    return list(api_ticket_attachments(viewer, api_ticket_get(viewer, number)))


@router.post(
    "/{number}/attachments", response={201: AttachmentOut, 413: ERRORS[400], **WRITE_ERRORS}
)
def ticket_attachment_upload(
    request: HttpRequest, number: str, file: File[UploadedFile]
) -> Status[Attachment]:
    """Upload one file as multipart form data (field `file`), within the portal's size limit.
    The stored type is decided by the server from the name, never taken from the upload."""
    viewer = caller(request)
    attachment = attachment_add(api_ticket_get(viewer, number), actor=viewer, upload=file)
    return Status(201, attachment)


@router.get(
    "/{number}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    openapi_extra=BINARY_RESPONSE,
)
def ticket_attachment_download(
    request: HttpRequest, number: str, attachment_id: Id
) -> FileResponse:
    """The file as a download (`Content-Disposition: attachment`, never rendered inline)."""
    viewer = caller(request)
    ticket = api_ticket_get(viewer, number)
    attachment = api_ticket_attachments(viewer, ticket).get(pk=attachment_id)
    return file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@router.get("/{number}/sla", response={200: list[ClockOut], **ERRORS})
def ticket_sla(request: HttpRequest, number: str) -> list[TicketClock]:
    """The ticket's SLA clocks (response, resolution, …): target, due time, state, outcome,
    and each clock's timeline in words."""
    return list(api_ticket_clocks(api_ticket_get(caller(request), number)))


@router.get("/{number}/links", response={200: list[LinkOut], **ERRORS})
def ticket_links(request: HttpRequest, number: str) -> list[TicketLink]:
    """Links from and to this ticket whose other end the caller may see."""
    viewer = caller(request)
    return list(api_ticket_links(viewer, api_ticket_get(viewer, number)))


@router.post("/{number}/links", response={201: LinkOut, **WRITE_ERRORS})
def ticket_link_add(request: HttpRequest, number: str, payload: LinkIn) -> Status[Any]:
    """Link this ticket to `target` (e.g. `duplicate_of`, `child_of`). Staff only."""
    viewer = caller(request)
    source = api_ticket_get(viewer, number)
    try:
        target = api_ticket_get(viewer, payload.target)
    except Ticket.DoesNotExist:
        raise ApiError(
            422, ApiErrorCode.INVALID_VALUE, f"There is no ticket {payload.target}.", field="target"
        ) from None
    link = ticket_link(source, target, actor=viewer, kind=LinkKind(payload.kind))
    return Status(201, link)
