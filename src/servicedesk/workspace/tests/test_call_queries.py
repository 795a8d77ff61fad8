"""Logging a call, in queries: pinned (see tickets/tests/test_write_queries.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket


def log_call(client: Client, org: Org, title: str) -> Any:
    return client.post(
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": Channel.PHONE,
            "kind": TicketKind.INCIDENT,
            "short_description": title,
        },
    )


def test_logging_a_call(org: Org, client: Client, django_assert_num_queries: Any) -> None:
    client.force_login(org.desk)
    log_call(client, org, "Warm the caches")
    # Session, person, the agent's groups, the caller and their location, then the service
    # (tickets/tests/test_write_queries.py, its configuration kept by the process since the
    # first call) with the caller's link as an affected person.
    with django_assert_num_queries(16):
        response = log_call(client, org, "Printer jammed")
    assert response.status_code == 302
    assert Ticket.objects.get(short_description="Printer jammed").requester == org.colleague
