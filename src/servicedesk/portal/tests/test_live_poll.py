"""The ticket page's live poll at scale: a thousand requesters with the page open poll every few
seconds, so the answer "nothing changed" must cost the session and one look-up, no more."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import comment_add

POLL_URL = re.compile(r'id="ticket-live"[^>]*hx-get="([^"]+)"')


def poll_url_on_the_page(client: Client, ticket: Ticket) -> str:
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    found = POLL_URL.search(page)
    assert found, "the ticket page polls while the ticket can change"
    return html.unescape(found.group(1))


def test_an_unchanged_poll_costs_the_session_and_one_look_up(
    employee_client: Client, org: Org, incident: Ticket, django_assert_num_queries
) -> None:
    url = poll_url_on_the_page(employee_client, incident)
    # The session row (every signed-in request reads it) and the ticket's version by number:
    # no person row, no access-policy query, no rendering.
    with django_assert_num_queries(2):
        unchanged = employee_client.get(url)
    assert unchanged.status_code == 204 and unchanged.content == b""
    comment_add(incident, actor=org.desk, body="On it")
    changed = employee_client.get(url)
    assert changed.status_code == 200
    assert "On it" in changed.content.decode()


def test_a_key_is_no_use_to_anyone_else_or_for_another_ticket(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    url = poll_url_on_the_page(employee_client, incident)
    stranger = Client()
    stranger.force_login(org.stranger)
    assert stranger.get(url).status_code == 404  # the full road: the access policy says no
    elsewhere = url.replace(incident.number, "INC9999999")
    assert employee_client.get(elsewhere).status_code == 404


def test_a_forged_or_missing_key_takes_the_full_road(
    employee_client: Client, incident: Ticket, django_assert_num_queries
) -> None:
    url = poll_url_on_the_page(employee_client, incident)
    since = re.search(r"since=([^&]+)", url)
    assert since
    bare = reverse("portal:ticket_live", args=[incident.number]) + f"?since={since.group(1)}"
    # Session, person, the ticket through the access policy: still no rendering.
    with django_assert_num_queries(3):
        assert employee_client.get(bare + "&key=1:" + incident.number).status_code == 204
    anonymous = Client()
    assert anonymous.get(url).status_code == 302  # to the sign-in page
