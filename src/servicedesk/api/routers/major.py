"""`/major-incidents`, `/on-call`, `/greeting`: the outage procedure for scripts and the phone
system. Staff only, except the greeting, which any token may read (the phone system's)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, ApiError, ApiErrorCode, ErrorOut
from servicedesk.api.models import MonitoringAlert
from servicedesk.api.params import reject_unknown_parameters
from servicedesk.api.schemas.major import (
    AttachIn,
    CorrectIn,
    DeclareIn,
    GreetingOut,
    MajorIncidentOut,
    OnCallOut,
    ResolveIn,
    UpdateIn,
)
from servicedesk.directory.models import DistributionList, Person
from servicedesk.directory.oncall import on_call_board
from servicedesk.outages.choices import DeclaredFrom
from servicedesk.outages.communications import (
    current_greeting,
    major_incident_correct,
    major_incident_update,
)
from servicedesk.outages.major import major_incident_attach, major_incident_declare
from servicedesk.outages.major_selectors import (
    children_of,
    major_incident_get,
    major_scope,
    open_major_incidents,
)
from servicedesk.outages.models import Communication, MajorIncident
from servicedesk.outages.resolution import major_incident_resolve
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.models import Ticket

router = Router(tags=["major incidents"])
# No version check here: a refusal for the state of things (resolved, declared already) is a 409
# of the ordinary shape.
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


def _staff(request: HttpRequest) -> Person:
    person = caller(request)
    if not person.is_staff_member:
        raise ApiError(403, ApiErrorCode.PERMISSION_DENIED, "Major incidents are for staff.")
    return person


def _tickets(numbers: list[str], field: str) -> list[Ticket]:
    """Tickets by number; an unknown number is named (the service refuses invisible ones)."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers))
    found = {t.number: t for t in Ticket.objects.filter(number__in=wanted)}
    for number in wanted:
        if number not in found:
            raise ApiError(
                422,
                ApiErrorCode.INVALID_VALUE,
                f"There is no incident {number} that you can see.",
                field=field,
            )
    return [found[n] for n in wanted]


def _lists(ids: list[int]) -> list[DistributionList]:
    lists = list(DistributionList.objects.filter(pk__in=ids))
    if len(lists) != len(set(ids)):
        raise ApiError(
            422, ApiErrorCode.INVALID_VALUE, "Unknown partner list.", field="partner_lists"
        )
    return lists


def _out(viewer: Person, major: MajorIncident) -> dict[str, Any]:
    ticket = major.ticket
    visible = visible_tickets(viewer).values("pk")
    scope = major_scope(major)
    return {
        "id": major.pk,
        "ticket": ticket.number,
        "title": ticket.short_description,
        "service": ticket.service,
        "declared_from": major.declared_from,
        "declared_at": major.declared_at,
        "declared_by": str(major.declared_by),
        "resolved_at": major.resolved_at,
        "status_entry": major.status_entry_id,
        "children": list(
            children_of(major)
            .filter(pk__in=visible)
            .order_by("number")
            .values_list("number", flat=True)
        ),
        "scope": scope,
        "communications": list(major.communications.prefetch_related("sends")),
    }


def _major(pk: int) -> MajorIncident:
    return major_incident_get(pk)


@router.get("/major-incidents", response={200: list[MajorIncidentOut], **ERRORS})
def major_incidents_open(request: HttpRequest) -> list[dict[str, Any]]:
    """The open major incidents, newest first, with their live scope."""
    viewer = _staff(request)
    reject_unknown_parameters(request, ())
    return [_out(viewer, major) for major in open_major_incidents()]


@router.post("/major-incidents", response={201: MajorIncidentOut, **WRITE_ERRORS})
def major_incident_declare_action(
    request: HttpRequest, payload: DeclareIn
) -> Status[dict[str, Any]]:
    """Declare an incident (or a monitoring alert's incident) a major incident: the outage is
    posted, the reports attached, and the service's communication plan told at once."""
    viewer = _staff(request)
    declared_from = DeclaredFrom.INCIDENT
    if payload.alert is not None:
        alert = MonitoringAlert.objects.filter(pk=payload.alert).select_related("ticket").first()
        if alert is None:
            raise ApiError(422, ApiErrorCode.INVALID_VALUE, "Unknown alert.", field="alert")
        ticket, declared_from = alert.ticket, DeclaredFrom.MONITORING
    elif payload.ticket:
        ticket = _tickets([payload.ticket], "ticket")[0]
    else:
        raise ApiError(
            422, ApiErrorCode.INVALID_VALUE, "Give the incident or the alert.", field="ticket"
        )
    major = major_incident_declare(
        ticket,
        actor=viewer,
        declared_from=declared_from,
        public_message=payload.public_message,
        children=_tickets(payload.children, "children"),
    )
    return Status(201, _out(viewer, _major(major.pk)))


@router.get("/major-incidents/{major_id}", response={200: MajorIncidentOut, **ERRORS})
def major_incident_detail(request: HttpRequest, major_id: int) -> dict[str, Any]:
    viewer = _staff(request)
    return _out(viewer, _major(major_id))


@router.post("/major-incidents/{major_id}/attach", response={200: MajorIncidentOut, **WRITE_ERRORS})
def major_incident_attach_action(
    request: HttpRequest, major_id: int, payload: AttachIn
) -> dict[str, Any]:
    """Attach open incidents as children; all or none."""
    viewer = _staff(request)
    major = _major(major_id)
    major_incident_attach(major, _tickets(payload.tickets, "tickets"), actor=viewer)
    return _out(viewer, _major(major_id))


@router.post(
    "/major-incidents/{major_id}/updates", response={201: MajorIncidentOut, **WRITE_ERRORS}
)
def major_incident_update_action(
    request: HttpRequest, major_id: int, payload: UpdateIn
) -> Status[dict[str, Any]]:
    """Send one update to the audiences chosen; each person and address gets it once."""
    viewer = _staff(request)
    major_incident_update(
        _major(major_id),
        actor=viewer,
        stage=payload.stage,
        message=payload.message,
        audiences=payload.audiences,
        partner_lists=_lists(payload.partner_lists),
        internal=payload.internal,
    )
    return Status(201, _out(viewer, _major(major_id)))


@router.post(
    "/major-incidents/{major_id}/updates/{communication_id}/correct",
    response={201: MajorIncidentOut, **WRITE_ERRORS},
)
def major_incident_correct_action(
    request: HttpRequest, major_id: int, communication_id: int, payload: CorrectIn
) -> Status[dict[str, Any]]:
    """Correct (or withdraw) an update everywhere it went."""
    viewer = _staff(request)
    original = Communication.objects.get(pk=communication_id, major_incident_id=major_id)
    major_incident_correct(
        original, actor=viewer, message=payload.message, withdraw=payload.withdraw
    )
    return Status(201, _out(viewer, _major(major_id)))


@router.post(
    "/major-incidents/{major_id}/resolve", response={200: MajorIncidentOut, **WRITE_ERRORS}
)
def major_incident_resolve_action(
    request: HttpRequest, major_id: int, payload: ResolveIn
) -> dict[str, Any]:
    """Resolve it with every child; each affected person gets one message."""
    viewer = _staff(request)
    major_incident_resolve(
        _major(major_id),
        actor=viewer,
        message=payload.message,
        audiences=payload.audiences,
        partner_lists=_lists(payload.partner_lists),
    )
    return _out(viewer, _major(major_id))


@router.get("/on-call", response={200: list[OnCallOut], **ERRORS})
def on_call_now(request: HttpRequest) -> list[dict[str, Any]]:
    """Who is on call now, per support group with a rota, and the desk's daily meeting time."""
    _staff(request)
    reject_unknown_parameters(request, ())
    return [
        {
            "group": row.group,
            "person": str(row.person) if row.person else None,
            "phone": row.person.phone if row.person else "",
            "until": row.until,
            "is_override": row.is_override,
            "meeting_time": row.meeting_time,
        }
        for row in on_call_board()
    ]


@router.get("/greeting", response={200: GreetingOut, **ERRORS})
def greeting(request: HttpRequest) -> dict[str, Any]:
    """The phone greeting in force, as plain text: the phone system fetches it."""
    caller(request)
    reject_unknown_parameters(request, ())
    current = current_greeting()
    return {
        "text": current.text if current else "",
        "published_at": current.published_at if current else None,
    }
