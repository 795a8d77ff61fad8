"""The nav's queue counts at scale: every agent's every page polls them every few seconds, so
the answer "nothing changed" must cost the session and one look-up, not a count of the queues."""

from __future__ import annotations

import html
import re
import time
from typing import Any
from unittest import mock

from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create
from servicedesk.workspace import nav_counts

NEXT_POLL = re.compile(r'hx-get="([^"]+)"')


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def next_poll(answer: Any) -> str:
    assert answer.status_code == 200
    found = NEXT_POLL.search(answer.content.decode())
    assert found, "the counts poll again"
    return html.unescape(found.group(1))


def all_open(answer: Any) -> int:
    found = re.search(r'nav-count-all-open">[^<]*<span[^>]*>(\d+)<', answer.content.decode())
    assert found
    return int(found.group(1))


def test_unchanged_counts_cost_the_session_and_one_look_up(
    org: Org, django_assert_num_queries: Any
) -> None:
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer")
    desk = signed_in(org.desk)
    # Both polls within one minute, however slow the machine.
    minute = nav_counts.RECOUNT_SECONDS
    start_of_minute = time.time() // minute * minute
    with mock.patch.object(time, "time", return_value=start_of_minute):
        url = next_poll(desk.get("/workspace/counts/"))
        # The session row and the newest history entry's id: no person row, no scope, no count.
        with django_assert_num_queries(2):
            unchanged = desk.get(url)
    assert unchanged.status_code == 204 and unchanged.content == b""


def test_a_new_ticket_is_counted_at_the_next_poll(org: Org) -> None:
    desk = signed_in(org.desk)
    first = desk.get("/workspace/counts/")
    url = next_poll(first)
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Scanner")
    changed = desk.get(url)
    assert all_open(changed) == all_open(first) + 1


def test_the_counts_are_recounted_each_minute_however_quiet(org: Org) -> None:
    # Overdue and breaching soon move with the clock alone.
    desk = signed_in(org.desk)
    url = next_poll(desk.get("/workspace/counts/"))
    later = time.time() + nav_counts.RECOUNT_SECONDS
    with mock.patch.object(time, "time", return_value=later):
        assert desk.get(url).status_code == 200


def test_a_version_is_no_use_to_anyone_else(org: Org) -> None:
    url = next_poll(signed_in(org.desk).get("/workspace/counts/"))
    # Another agent with the desk's version gets their own counts; an employee, the 404 of
    # every workspace page.
    assert signed_in(org.network).get(url).status_code == 200
    assert signed_in(org.employee).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page
