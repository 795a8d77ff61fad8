"""`/tickets`: list, create, read by number, partial update."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, WRITE_ERRORS, ApiError, ApiErrorCode, ErrorOut
from servicedesk.api.paging import keyset_page
from servicedesk.api.params import allowed_names, reject_unknown_parameters, version_read
from servicedesk.api.references import resolve_people, resolve_references
from servicedesk.api.schemas.tickets import (
    TicketCreateIn,
    TicketFilters,
    TicketOut,
    TicketPage,
    TicketPatchIn,
)
from servicedesk.api.selectors import (
    api_ticket_detail,
    api_ticket_get,
    api_ticket_list,
    api_ticket_written,
)
from servicedesk.core.prefetch import prefetched
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_update

router = Router(tags=["tickets"])

LIST_PARAMETERS = allowed_names(TicketFilters)
TEXT_FIELDS = ("short_description", "description", "impact", "severity", "priority_override_reason")


def person_order(person: Person) -> tuple[str, str, str]:
    """People's ordering (their model's), for a list in hand."""
    return (person.last_name, person.first_name, person.username)


def tagged(response: HttpResponse, ticket: Ticket) -> None:
    """The version as an ETag, so that a client can echo it in If-Match."""
    response["ETag"] = f'"{ticket.version}"'


@router.get("", response={200: TicketPage, **ERRORS})
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """Tickets the caller may see, filtered, in an allow-listed order, a page at a time."""
    reject_unknown_parameters(request, LIST_PARAMETERS)
    tickets, next_cursor = keyset_page(
        api_ticket_list(caller(request), filters),
        ordering=filters.ordering.value,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": tickets, "next_cursor": next_cursor}


@router.post("", response={201: TicketOut, **WRITE_ERRORS})
def ticket_file(
    request: HttpRequest, payload: TicketCreateIn, response: HttpResponse
) -> Status[Ticket]:
    """File an incident or a service request. Requesters file for themselves and leave triage
    (impact, severity, priority, group, assignee) to the desk: sending those is a 403."""
    values = payload.model_dump(exclude={"affected_people"})
    # Triage fields a requester must not send are refused by the service; "not sent" is None.
    for name in ("impact", "severity"):
        values[name] = values[name] or ""
    affected = resolve_people("affected_people", payload.affected_people)
    ticket = ticket_create(
        actor=caller(request),
        channel=Channel.API,
        affected_people=affected,
        **{**resolve_references(values), "kind": TicketKind(payload.kind)},
    )
    # Answered from the ticket as written, not read back; only answers given are read (their
    # typed values are the service's). The object goes no further than this answer.
    written: dict[str, list[Any]] = {"affected_people": sorted(affected, key=person_order)}
    if not payload.answers:
        written["answers"] = []
    prefetched(ticket, **written)
    tagged(response, ticket)
    response["Location"] = f"{request.path.rstrip('/')}/{ticket.number}"
    return Status(201, ticket)


@router.get("/{number}", response={200: TicketOut, **ERRORS})
def ticket_read(request: HttpRequest, number: str, response: HttpResponse) -> Ticket:
    ticket = api_ticket_detail(caller(request), number)
    tagged(response, ticket)
    return ticket


@router.patch("/{number}", response={200: TicketOut, 428: ErrorOut, **WRITE_ERRORS})
def ticket_patch(
    request: HttpRequest, number: str, payload: TicketPatchIn, response: HttpResponse
) -> Ticket:
    """Change only the fields sent, based on the version read (`If-Match` or `version`);
    if someone saved in between, 409 with the current version. State and assignment have
    their own actions."""
    viewer = caller(request)
    ticket = api_ticket_get(viewer, number)
    version = version_read(request, payload.version)
    if version is None:
        raise ApiError(
            428,
            ApiErrorCode.VERSION_REQUIRED,
            "Send the version you read (If-Match header or a `version` field), so that "
            "nobody's change is overwritten unseen.",
            field="version",
        )
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "requester" in changes and changes["requester"] is None:
        raise ApiError(
            422, ApiErrorCode.INVALID_VALUE, "A ticket needs a requester.", field="requester"
        )
    # For text and choice fields, null means empty (the service then says if that's allowed).
    for name in (
        "short_description",
        "description",
        "impact",
        "severity",
        "priority_override_reason",
    ):
        if name in changes and changes[name] is None:
            changes[name] = ""
    updated = ticket_update(
        ticket, actor=viewer, version=version, changes=resolve_references(changes)
    )
    ticket = api_ticket_written(updated)
    tagged(response, ticket)
    return ticket
