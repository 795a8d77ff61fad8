"""The API scopes like the UI: someone else's ticket is a 404 on every resource, for reads and
writes alike, and staff see it. Internal notes and people stay with staff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.conftest import Org
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import attachment_add, comment_add, ticket_create
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture


@pytest.fixture
def colleagues_ticket(org: Org) -> Ticket:
    ticket = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Colleague's VPN is down",
        channel=Channel.PHONE,
    )
    comment_add(ticket, actor=org.colleague, body="Please hurry")
    attachment_add(ticket, actor=org.colleague, upload=SimpleUploadedFile("vpn.txt", b"log"))
    return ticket


def every_ticket_resource(number: str, attachment_id: int) -> list[tuple[str, str, object]]:
    base = f"/tickets/{number}"
    return [
        ("get", base, None),
        ("patch", base, {"short_description": "mine now", "version": 1}),
        ("post", f"{base}/transition", {"to": "cancelled", "note": "not needed"}),
        ("post", f"{base}/assign", {"group": 1}),
        ("post", f"{base}/convert", {"kind": "request"}),
        ("get", f"{base}/comments", None),
        ("post", f"{base}/comments", {"body": "hello"}),
        ("get", f"{base}/attachments", None),
        ("get", f"{base}/attachments/{attachment_id}", None),
        ("get", f"{base}/links", None),
        ("post", f"{base}/links", {"target": number, "kind": "related_to"}),
    ]


def call(client, method: str, path: str, body: object):
    if method == "get":
        return client.get(path)
    return client.send(method, path, body)


def test_a_requester_gets_404_for_every_resource_of_someone_elses_ticket(
    org: Org, api_as, colleagues_ticket: Ticket
) -> None:
    employee = api_as(org.employee)
    attachment_id = colleagues_ticket.attachments.get().pk
    history_before = TicketHistory.objects.filter(ticket=colleagues_ticket).count()
    for method, path, body in every_ticket_resource(colleagues_ticket.number, attachment_id):
        response = call(employee, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
    missing = employee.get("/tickets/INC0009999")
    assert missing.json() == employee.get(f"/tickets/{colleagues_ticket.number}").json()
    assert TicketHistory.objects.filter(ticket=colleagues_ticket).count() == history_before
    assert employee.get("/tickets").json()["items"] == []


def test_the_upload_of_a_file_to_someone_elses_ticket_is_a_404(
    org: Org, api_as, colleagues_ticket: Ticket
) -> None:
    employee = api_as(org.employee)
    response = employee.upload(f"/tickets/{colleagues_ticket.number}/attachments", "x.txt", b"x")
    assert response.status_code == 404
    assert colleagues_ticket.attachments.count() == 1


# The service lead is in no group serving every agency: agency scoping, tested below.
@pytest.mark.parametrize("who", ["colleague", "desk", "network"])
def test_the_requester_and_staff_see_every_read_resource(
    org: Org, api_as, colleagues_ticket: Ticket, who: str
) -> None:
    reader = api_as(getattr(org, who))
    attachment_id = colleagues_ticket.attachments.get().pk
    for method, path, _body in every_ticket_resource(colleagues_ticket.number, attachment_id):
        if method == "get":
            assert reader.get(path).status_code == 200, (who, path)
    numbers = [ticket["number"] for ticket in reader.get("/tickets").json()["items"]]
    assert numbers == [colleagues_ticket.number]


def test_internal_notes_reach_staff_only(org: Org, api_as, colleagues_ticket: Ticket) -> None:
    desk = api_as(org.desk)
    colleague = api_as(org.colleague)
    number = colleagues_ticket.number
    assert desk.post(f"/tickets/{number}/comments", {"body": "VPN concentrator", "internal": True})
    refused = colleague.post(f"/tickets/{number}/comments", {"body": "sneaky", "internal": True})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_permitted"
    seen_by_colleague = [c["body"] for c in colleague.get(f"/tickets/{number}/comments").json()]
    seen_by_desk = [c["body"] for c in desk.get(f"/tickets/{number}/comments").json()]
    assert seen_by_colleague == ["Please hurry"]
    assert seen_by_desk == ["Please hurry", "VPN concentrator"]


def test_people_are_scoped_staff_see_everyone_a_requester_only_themself(org: Org, api_as) -> None:
    by_employee = api_as(org.employee).get("/people").json()
    assert [person["username"] for person in by_employee] == ["employee"]
    assert api_as(org.employee).get("/people", search="colleague").json() == []
    found = api_as(org.desk).get("/people", search="Colleague example.org").json()
    assert [person["username"] for person in found] == ["colleague"]
    everyone = api_as(org.desk).get("/people", limit=100).json()
    assert len(everyone) == 6


def test_links_to_tickets_the_reader_cannot_see_are_left_out(
    org: Org, api_as, colleagues_ticket: Ticket
) -> None:
    own = api_as(org.employee).post(
        "/tickets", {"kind": "incident", "short_description": "My VPN is down too"}
    )
    number = own.json()["number"]
    linked = api_as(org.desk).post(
        f"/tickets/{number}/links", {"target": colleagues_ticket.number, "kind": "related_to"}
    )
    assert linked.status_code == 201, linked.content
    assert api_as(org.desk).get(f"/tickets/{number}/links").json()[0]["kind"] == "related_to"
    assert api_as(org.employee).get(f"/tickets/{number}/links").json() == []


# Staff scoped by agency (tickets.access): agency Y's ticket, role by role.
SEES_Y_TICKET = {"y_requester", "y_agent", "manager", "admin"}
READS = ["", "/comments", "/attachments", "/sla", "/links"]


@pytest.mark.parametrize(
    "role", ["requester", "y_requester", "x_agent", "y_agent", "x_lead", "service_lead", "manager"]
)
def test_agency_ys_ticket_by_role_on_every_read_and_in_lists(
    scoped: Scoped, api_as, role: str
) -> None:
    ticket = scoped.y_ticket
    attachment_add(ticket, actor=scoped.org.stranger, upload=SimpleUploadedFile("a.txt", b"a"))
    reader = api_as(scoped.who(role))
    sees = role in SEES_Y_TICKET
    for suffix in READS:
        response = reader.get(f"/tickets/{ticket.number}{suffix}")
        assert response.status_code == (200 if sees else 404), (role, suffix)
    attachment_id = ticket.attachments.get().pk
    one_file = reader.get(f"/tickets/{ticket.number}/attachments/{attachment_id}")
    assert one_file.status_code == (200 if sees else 404)
    listed = [row["number"] for row in reader.get("/tickets", limit=100).json()["items"]]
    assert (ticket.number in listed) == sees
    searched = reader.get("/tickets", text=ticket.number).json()["items"]
    assert bool(searched) == sees


def test_a_scoped_agent_cannot_write_to_or_link_to_agency_ys_ticket(scoped: Scoped, api_as) -> None:
    agent = api_as(scoped.x_agent)
    ticket = scoped.y_ticket
    attachment_id = attachment_add(
        ticket, actor=scoped.org.stranger, upload=SimpleUploadedFile("a.txt", b"a")
    ).pk
    history_before = TicketHistory.objects.filter(ticket=ticket).count()
    for method, path, body in every_ticket_resource(ticket.number, attachment_id):
        if method != "get":
            assert call(agent, method, path, body).status_code == 404, path
    linked = agent.post(
        f"/tickets/{scoped.x_ticket.number}/links",
        {"target": ticket.number, "kind": "related_to"},
    )
    assert linked.status_code == 422
    assert linked.json()["message"] == f"There is no ticket {ticket.number}."
    assert TicketHistory.objects.filter(ticket=ticket).count() == history_before


def test_a_write_that_hands_the_ticket_out_of_scope_answers_with_it_once(
    scoped: Scoped, api_as
) -> None:
    agent = api_as(scoped.x_agent)
    ticket = scoped.y_ticket_for_x_team
    handed = agent.post(f"/tickets/{ticket.number}/assign", {"group": scoped.y_team.pk})
    assert handed.status_code == 200, handed.content
    assert handed.json()["number"] == ticket.number
    assert agent.get(f"/tickets/{ticket.number}").status_code == 404
