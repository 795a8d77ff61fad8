"""The agent ticket page's heartbeat at scale: every agent with a ticket open beats every few
seconds, so the answer "the same people are viewing" must cost the session and one look-up."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from servicedesk.workspace.models import TicketPresence
from servicedesk.workspace.presence import REFRESH_AFTER

BEAT_URL = re.compile(r'id="presence"[^>]*hx-post="([^"]+)"')


@pytest.fixture
def incident(org: Org) -> Ticket:
    return ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer offline"
    )


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def beat_url(html_text: str) -> str:
    found = BEAT_URL.search(html_text)
    assert found, "the page beats while it is open"
    return html.unescape(found.group(1))


def first_beat(client: Client, ticket: Ticket) -> str:
    """Open the ticket page, send its first beat (the full road); the next beat's URL."""
    page = client.get(reverse("workspace:ticket", args=[ticket.number])).content.decode()
    answer = client.post(beat_url(page))
    assert answer.status_code == 200
    return beat_url(answer.content.decode())


def test_an_unchanged_beat_costs_the_session_and_one_look_up(
    org: Org, incident: Ticket, django_assert_num_queries: Any
) -> None:
    desk = signed_in(org.desk)
    url = first_beat(desk, incident)
    # The session row and the ticket's presence rows: no person row, no access policy, no
    # rendering; the agent's own row was written by the first beat a moment ago.
    with django_assert_num_queries(2):
        unchanged = desk.post(url)
    assert unchanged.status_code == 204 and unchanged.content == b""
    # Every other beat the agent's own row is renewed: one write more.
    TicketPresence.objects.update(seen_at=timezone.now() - REFRESH_AFTER - timedelta(seconds=1))
    with django_assert_num_queries(3):
        assert desk.post(url).status_code == 204
    assert TicketPresence.objects.get(person=org.desk).seen_at > timezone.now() - REFRESH_AFTER


def test_someone_else_opening_the_ticket_is_shown_at_the_next_beat(
    org: Org, incident: Ticket
) -> None:
    desk = signed_in(org.desk)
    url = first_beat(desk, incident)
    first_beat(signed_in(org.network), incident)
    changed = desk.post(url)
    assert changed.status_code == 200
    assert "Also viewing" in changed.content.decode() and "Network" in changed.content.decode()
    # The new copy's beat is unchanged again.
    assert desk.post(beat_url(changed.content.decode())).status_code == 204


def test_a_key_is_no_use_to_anyone_else(
    org: Org, incident: Ticket, django_assert_num_queries: Any
) -> None:
    url = first_beat(signed_in(org.desk), incident)
    # Another agent with the desk's key takes the full road and is counted as themselves.
    network = signed_in(org.network)
    assert network.post(url).status_code == 200
    assert TicketPresence.objects.filter(person=org.network).exists()
    # Someone the access policy keeps out gets the same 404 as for a missing ticket.
    assert signed_in(org.stranger).post(url).status_code == 404
    forged = url.replace("key=", "key=1")
    assert signed_in(org.desk).post(forged).status_code == 200  # the full road, rendered
