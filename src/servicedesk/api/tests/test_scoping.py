"""The API scopes like the UI: someone else's ticket is a 404 on every resource, for reads and
writes alike, and staff see it. Internal notes and people stay with staff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.conftest import Org
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import attachment_add, comment_add, ticket_create


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


@pytest.mark.parametrize("who", ["colleague", "desk", "network", "lead"])
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
