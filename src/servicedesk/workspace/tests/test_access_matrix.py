"""Role × route: agency Y's ticket, as each role meets it on every page that names a ticket.

A role that may not see it gets the same 404 as for a ticket that does not exist, and nothing it
sends changes the ticket; lists, counts, search, bulk actions and "next ticket" leave it out.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.services import attachment_add, comment_add
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture

# Agency Y's ticket, assigned to the Y team: who sees it (everyone else gets a 404).
SEES_Y_TICKET = {"y_agent": True, "manager": True, "admin": True, "desk": True}
STAFF_ROLES = ["x_agent", "y_agent", "x_lead", "service_lead", "manager", "admin", "desk"]
# The nav's "All open" count: all five of `Scoped`'s tickets are open.
OPEN_COUNTS = {
    "x_agent": 2,  # X's ticket; Y's assigned to the X team
    "y_agent": 3,  # Y's, Y's assigned to the X team, Y's escalated to the service lead
    "x_lead": 2,  # as the X agent: the team they lead
    "service_lead": 2,  # X's (their group serves X) and the escalated one
    "manager": 5,
    "admin": 5,
    "desk": 5,  # the desk's group names no agency: it serves every agency
}


def person(scoped: Scoped, role: str) -> Person:
    return scoped.org.desk if role == "desk" else scoped.who(role)


def signed_in(client: Client, who: Person) -> Client:
    client.force_login(who)
    return client


def all_open_count(client: Client) -> int:
    html = client.get("/workspace/counts/").content.decode()
    found = re.search(r'nav-count-all-open">[^<]*<span[^>]*>(\d+)<', html)
    assert found, html
    return int(found.group(1))


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_workspace_pages_of_agency_ys_ticket(scoped: Scoped, client: Client, role: str):
    ticket = scoped.y_ticket
    sees = SEES_Y_TICKET.get(role, False)
    expected = 200 if sees else 404
    base = f"/workspace/tickets/{ticket.number}"
    signed_in(client, person(scoped, role))

    assert client.get(f"{base}/").status_code == expected
    assert client.get(f"{base}/preview/").status_code == expected
    assert client.post(f"{base}/presence/").status_code == expected
    note = client.post(f"{base}/comment/", {"body": f"Seen by {role}", "internal": "1"})
    assert note.status_code == (302 if sees else 404)
    assert ticket.comments.filter(body=f"Seen by {role}").exists() == sees

    link = f'href="{base}/"'  # the search box repeats the number typed; a row links to it
    listed = client.get("/workspace/queues/all-open/").content.decode()
    assert (link in listed) == sees
    found = client.get(f"/workspace/queues/all-open/?q={ticket.number}").content.decode()
    assert (link in found) == sees
    assert all_open_count(client) == OPEN_COUNTS[role]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_bulk_action_naming_agency_ys_ticket(scoped: Scoped, client: Client, role: str):
    ticket = scoped.y_ticket
    sees = SEES_Y_TICKET.get(role, False)
    signed_in(client, person(scoped, role))
    response = client.post(
        "/workspace/bulk/",
        {"numbers": [ticket.number], "action": "state", "to": "cancelled", "note": "Not ours"},
    )
    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert ("1 not found" in said) == (not sees), said
    ticket.refresh_from_db()
    assert (ticket.state == TicketState.CANCELLED) == sees


def test_counts_and_next_ticket_of_a_scoped_agent(scoped: Scoped, client: Client) -> None:
    signed_in(client, scoped.x_agent)
    # Agency X's ticket and agency Y's one assigned to the X team; nothing else is open for it.
    assert all_open_count(client) == 2
    next_page = client.get("/workspace/next/")
    assert next_page.status_code == 302
    assert scoped.y_ticket_for_x_team.number in next_page["Location"]
    signed_in(client, scoped.y_agent)
    assert scoped.y_ticket.number in client.get("/workspace/next/")["Location"]


ROLES = ["requester", "y_requester", *STAFF_ROLES]


@pytest.mark.parametrize("role", ROLES)
def test_the_portal_pages_comments_and_files_of_agency_ys_ticket(
    scoped: Scoped, client: Client, role: str
) -> None:
    ticket = scoped.y_ticket
    sees = SEES_Y_TICKET.get(role, False) or role == "y_requester"
    reply = comment_add(ticket, actor=scoped.y_agent, body="We restarted the portal")
    upload = attachment_add(
        ticket, actor=scoped.org.stranger, upload=SimpleUploadedFile("error.txt", b"timeout")
    )
    signed_in(client, person(scoped, role))
    expected = 200 if sees else 404
    assert client.get(f"/portal/tickets/{ticket.number}/").status_code == expected
    assert client.get(f"/portal/tickets/{ticket.number}/live/").status_code == expected
    comment_link = client.get(f"/portal/tickets/{ticket.number}/comments/{reply.pk}/")
    assert comment_link.status_code == (302 if sees else 404)
    assert client.get(f"/portal/attachments/{upload.pk}/").status_code == expected


def test_an_agent_who_hands_a_ticket_out_of_scope_lands_on_the_workspace(
    scoped: Scoped, client: Client
) -> None:
    ticket = scoped.y_ticket_for_x_team  # agency Y's: the X agent sees it through the X team
    signed_in(client, scoped.x_agent)
    handed = client.post(
        f"/workspace/tickets/{ticket.number}/assign/",
        {"version": ticket.version, "group": scoped.y_team.pk, "assignee": ""},
    )
    assert handed.status_code == 302 and handed["Location"] == "/workspace/"
    said = [str(message) for message in get_messages(handed.wsgi_request)]
    assert f"{ticket.number} is no longer in your queues." in said
    assert client.get(f"/workspace/tickets/{ticket.number}/").status_code == 404


def test_a_requester_gets_404_for_the_bulk_action_too(scoped: Scoped, client: Client):
    signed_in(client, scoped.org.employee)
    number = scoped.x_ticket.number  # their own ticket, even
    response = client.post("/workspace/bulk/", {"numbers": [number], "action": "assign"})
    assert response.status_code == 404
