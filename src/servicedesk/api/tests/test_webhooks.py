"""Webhooks: signed deliveries that verify, retried until a receiver that was down is back;
targets on loopback, private or unlisted hosts refused unless an administrator allows them."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from servicedesk.api.models import WebhookDelivery
from servicedesk.api.webhook_delivery import deliver_due_webhooks
from servicedesk.api.webhooks import WebhookError, WebhookEventType, webhook_subscribe
from servicedesk.conftest import Org
from servicedesk.directory.choices import Role


class Receiver:
    """A webhook receiver on loopback that records what it got."""

    def __init__(self, port: int = 0) -> None:
        received: list[tuple[dict[str, str], bytes]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the signature over the timestamp and the raw body."""
    fields = dict(part.split("=", 1) for part in headers["X-Servicedesk-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields["v1"])


@pytest.fixture
def admin(org: Org):
    org.lead.role = Role.ADMIN
    org.lead.save()
    return org.lead


def test_a_loopback_receiver_gets_signed_deliveries_that_verify(
    org: Org, api_as, admin, receiver: Receiver
) -> None:
    created = api_as(admin).post(
        "/webhooks",
        {
            "url": f"http://127.0.0.1:{receiver.port}/hook",
            "event_types": ["ticket.created", "ticket.commented", "ticket.state_changed"],
            "allow_private": True,
        },
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    employee = api_as(org.employee)
    number = employee.post("/tickets", {"kind": "incident", "short_description": "Fax"}).json()[
        "number"
    ]
    employee.post(f"/tickets/{number}/comments", {"body": "It beeps"})
    employee.patch(f"/tickets/{number}", {"description": "ignored by this hook"}, if_match='"1"')

    report = deliver_due_webhooks()
    assert (report.delivered, report.retrying, report.failed) == (2, 0, 0)
    kinds = [headers["X-Servicedesk-Event"] for headers, _body in receiver.received]
    assert kinds == ["ticket.created", "ticket.commented"]
    for headers, body in receiver.received:
        assert verifies(secret, headers, body)
        assert not verifies("another secret", headers, body)
    assert json.loads(receiver.received[1][1])["comment"]["body"] == "It beeps"
    log = api_as(admin).get(f"/webhooks/{created.json()['id']}/deliveries").json()
    assert {entry["state"] for entry in log} == {"delivered"}


def test_a_receiver_that_was_down_gets_its_deliveries_later(org: Org, api_as, admin) -> None:
    port = free_port()
    _subscription, secret = webhook_subscribe(
        admin, f"http://127.0.0.1:{port}/", [WebhookEventType.CREATED], allow_private=True
    )
    api_as(org.employee).post("/tickets", {"kind": "incident", "short_description": "Down"})
    first = deliver_due_webhooks()
    assert (first.delivered, first.retrying) == (0, 1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert deliver_due_webhooks().retrying == 0  # not due yet: the backoff is respected

    back_up = Receiver(port)
    try:
        later = deliver_due_webhooks(now=timezone.now() + timedelta(hours=1))
        assert later.delivered == 1
        headers, body = back_up.received[0]
        assert verifies(secret, headers, body)
    finally:
        back_up.stop()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("delivered", 2, "")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://93.184.216.34/",
    ],
)
def test_private_targets_are_refused_without_an_admins_say_so(org: Org, url: str) -> None:
    with pytest.raises(WebhookError):
        webhook_subscribe(org.desk, url, [WebhookEventType.CREATED])


@override_settings(SERVICEDESK_WEBHOOK_ALLOWED_HOSTS=["*.example.org"])
def test_hosts_outside_the_allow_list_are_refused(org: Org, api_as) -> None:
    refused = api_as(org.desk).post(
        "/webhooks", {"url": "http://93.184.216.34/", "event_types": ["ticket.created"]}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "url_not_allowed")


def test_only_staff_subscribe_and_only_admins_allow_private_targets(org: Org, api_as) -> None:
    body = {"url": "http://127.0.0.1:9/", "event_types": ["ticket.created"], "allow_private": True}
    assert api_as(org.employee).post("/webhooks", body).status_code == 403
    by_agent = api_as(org.desk).post("/webhooks", body)
    assert (by_agent.status_code, by_agent.json()["field"]) == (403, "allow_private")


def test_a_subscription_is_removed_by_its_owner(org: Org, api_as, admin) -> None:
    subscription, _secret = webhook_subscribe(
        admin, "http://127.0.0.1:9/", [WebhookEventType.CREATED], allow_private=True
    )
    assert api_as(org.desk).send("delete", f"/webhooks/{subscription.pk}").status_code == 404
    assert api_as(admin).send("delete", f"/webhooks/{subscription.pk}").status_code == 204
    api_as(org.employee).post("/tickets", {"kind": "incident", "short_description": "x"})
    assert not WebhookDelivery.objects.exists()
