"""What PostgreSQL refuses (NUL, lone surrogates) is cleaned on the way in, by every face:
the models' writes, form posts, query strings and the API's JSON. On SQLite these tests show the
text is cleaned; on PostgreSQL (DATABASE_URL) they show nothing fails with a database error."""

from __future__ import annotations

import json

from django.test import Client

from servicedesk.api.services import token_create
from servicedesk.conftest import Org
from servicedesk.core.text import postgres_safe, postgres_safe_data
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import ticket_create


def test_the_cleaning_itself() -> None:
    assert postgres_safe("a\x00b\ud800c") == "ab\ufffdc"
    assert postgres_safe_data({"k\x00": ["v\x00", 1, None]}) == {"k": ["v", 1, None]}


def test_every_write_is_cleaned_whatever_called_it(org: Org) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        requester=org.employee,
        short_description="Printer\x00 jams",
        description="Paper\x00 stuck \udcff here",
        channel=Channel.PORTAL,
    )
    ticket.refresh_from_db()
    assert ticket.short_description == "Printer jams"
    assert ticket.description == "Paper stuck \ufffd here"


def test_a_form_post_with_a_nul_is_saved_without_it(org: Org, client: Client) -> None:
    ticket = ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        requester=org.employee,
        short_description="VPN",
        description="Drops",
        channel=Channel.PORTAL,
    )
    client.force_login(org.employee)
    response = client.post(f"/portal/tickets/{ticket.number}/reply/", {"body": "Still\x00 down"})
    assert response.status_code in (200, 302)
    assert Comment.objects.get(ticket=ticket).body == "Still down"


def test_a_search_with_a_nul_finds_nothing_instead_of_failing(org: Org, client: Client) -> None:
    client.force_login(org.desk)
    assert client.get("/workspace/queues/all-open/", {"q": "vpn\x00"}).status_code == 200
    client.force_login(org.employee)
    assert client.get("/portal/kb/", {"q": "\x00"}).status_code == 200


def test_the_api_takes_json_with_an_escaped_nul(org: Org) -> None:
    _, token = token_create(org.employee, "tests")
    body = json.dumps(
        {"kind": "incident", "short_description": "Wi-Fi\u0000 down", "description": "a\\u0000b"}
    )
    assert "\\u0000" in body
    response = Client().post(
        "/api/v1/tickets",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.short_description == "Wi-Fi down"
    assert ticket.description == "a\\u0000b"  # an escaped backslash is text, not a NUL
