"""Converting a ticket through the API (`POST /tickets/{number}/convert`): the same service as
the workspace's Convert button. Staff who may see the ticket convert it and its SLA clocks are
re-planned from submission on the new kind's targets; a requester is refused; an agent of another
agency's team does not learn the ticket exists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture

REQUEST_HOURS = 40


def _phoned_incident(org: Org) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Please give me access to the payroll share",
    )


def _request_target() -> None:
    """Service requests are resolved within 40 hours; incidents get their target at triage."""
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=10,
        name="Requests: 40 hours",
        ticket_kind=TicketKind.REQUEST,
        target_kind=TargetKind.DURATION,
        minutes=REQUEST_HOURS * 60,
    )


def _resolution(api: ApiClient, number: str) -> dict[str, Any]:
    clocks = api.get(f"/tickets/{number}/sla").json()
    return next(clock for clock in clocks if clock["metric"] == Metric.RESOLUTION)


def test_an_agent_converts_an_incident_and_its_clocks_are_replanned(org: Org, api_as) -> None:
    _request_target()
    incident = _phoned_incident(org)
    desk = api_as(org.desk)
    assert _resolution(desk, incident.number)["due_at"] is None  # untriaged: no target yet

    converted = desk.post(
        f"/tickets/{incident.number}/convert",
        {"kind": "request", "reason": "An access request", "version": incident.version},
    )
    assert converted.status_code == 200, converted.content
    body = converted.json()
    assert (body["number"], body["kind"]) == (incident.number, "request")
    assert converted.headers["ETag"] == f'"{body["version"]}"'
    resolution = _resolution(desk, incident.number)
    assert resolution["target"] == "40 hours"
    assert resolution["due_at"] is not None
    due = Ticket.objects.get(pk=incident.pk).clocks.get(metric=Metric.RESOLUTION).due_at
    assert due is not None
    assert abs(due - (incident.created_at + timedelta(hours=REQUEST_HOURS))) < timedelta(minutes=1)
    changes = TicketHistory.objects.filter(ticket=incident, action="ticket.convert")
    assert {(h.field, h.before, h.after) for h in changes} == {
        ("kind", "incident", "request"),
        ("note", "", "An access request"),
    }

    back = desk.post(f"/tickets/{incident.number}/convert", {"kind": "incident"})
    assert back.status_code == 200 and back.json()["kind"] == "incident"
    assert _resolution(desk, incident.number)["due_at"] is None  # untriaged again


def test_converting_to_the_same_kind_or_a_stale_version_is_refused(org: Org, api_as) -> None:
    incident = _phoned_incident(org)
    desk = api_as(org.desk)
    same = desk.post(f"/tickets/{incident.number}/convert", {"kind": "incident"})
    assert same.status_code == 422
    assert same.json() == {
        "code": "invalid_value",
        "message": f"{incident.number} is already an incident.",
        "field": "kind",
    }
    problem = desk.post(f"/tickets/{incident.number}/convert", {"kind": "problem"})
    assert problem.status_code == 422 and problem.json()["field"] == "kind"
    read_before = f'"{incident.version - 1}"'
    stale = desk.post(f"/tickets/{incident.number}/convert", {"kind": "request"}, read_before)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == incident.version
    incident.refresh_from_db()
    assert incident.kind == TicketKind.INCIDENT


def test_a_requester_may_not_convert_their_own_ticket(org: Org, api_as) -> None:
    incident = _phoned_incident(org)
    refused = api_as(org.employee).post(f"/tickets/{incident.number}/convert", {"kind": "request"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_permitted"
    incident.refresh_from_db()
    assert incident.kind == TicketKind.INCIDENT
    assert not TicketHistory.objects.filter(ticket=incident, action="ticket.convert").exists()


def test_another_agencys_agent_gets_404(scoped: Scoped, api_as) -> None:
    ticket = scoped.y_ticket
    kind_before = ticket.kind
    answer = api_as(scoped.x_agent).post(f"/tickets/{ticket.number}/convert", {"kind": "request"})
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    ticket.refresh_from_db()
    assert ticket.kind == kind_before
