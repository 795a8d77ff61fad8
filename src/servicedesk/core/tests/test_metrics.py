"""Prometheus metrics: the desk's state as gauges, readable only by the monitoring system."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.services import ticket_create


def _sample(page: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", page, re.MULTILINE)
    assert found, f"{name} not in metrics"
    return float(found.group(1))


def test_the_desk_gauges_count_open_tickets_and_mail_needing_a_person(
    org: Org, client: Client
) -> None:
    for title in ("VPN drops", "Printer jams"):
        ticket_create(
            actor=org.employee,
            kind=TicketKind.INCIDENT,
            short_description=title,
            description="…",
            channel=Channel.PORTAL,
        )
    box = Mailbox.objects.create(name="Desk", address="desk@example.org")
    InboundMessage.objects.create(
        mailbox=box, content_hash="x", raw=b"x", state=InboundState.FAILED
    )

    page = client.get("/metrics").content.decode()

    assert _sample(page, 'servicedesk_open_tickets{state="new"}') == 2
    assert _sample(page, 'servicedesk_inbound_mail{state="failed"}') == 1
    assert _sample(page, 'servicedesk_inbound_mail{state="quarantined"}') == 0
    assert _sample(page, "servicedesk_outbox_due") >= 2  # the two acknowledgements
    assert _sample(page, "servicedesk_tasks_waiting") >= 0
    assert "servicedesk_sla_breached_clocks" in page
    assert "django_http_requests_total_by_method_total" in page  # django-prometheus's own


@pytest.mark.django_db
def test_metrics_are_refused_to_other_addresses_unless_they_bring_the_token(
    client: Client, settings: object
) -> None:
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", **outside).status_code == 403  # type: ignore[arg-type]

    settings.SERVICEDESK_METRICS_TOKEN = "scrape-me-0123456789"  # type: ignore[attr-defined]
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **outside)  # type: ignore[arg-type]
    assert wrong.status_code == 403
    right = client.get(
        "/metrics",
        HTTP_AUTHORIZATION="Bearer scrape-me-0123456789",
        **outside,  # type: ignore[arg-type]
    )
    assert right.status_code == 200
    assert "servicedesk_open_tickets" in right.content.decode()

    settings.SERVICEDESK_METRICS_ALLOWED_ADDRESSES = ["203.0.113.0/24"]  # type: ignore[attr-defined]
    assert client.get("/metrics", **outside).status_code == 200  # type: ignore[arg-type]
