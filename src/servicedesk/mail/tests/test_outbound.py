"""Mail about a ticket goes out From the mailbox it came in by, through that mailbox's own server
when it has one: over STARTTLS, signed in with OAuth 2.0 (XOAUTH2), as Microsoft 365 and Google
require. The outgoing server here is aiosmtpd offering only XOAUTH2, and only after STARTTLS; it
asks the test authorization server whether the token is active, as a provider's server would."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.mail.choices import TransportSecurity
from servicedesk.mail.ingest import receive
from servicedesk.mail.models import Mailbox, MailboxOAuthToken
from servicedesk.mail.outbound import routes_for
from servicedesk.mail.tests.conftest import eml
from servicedesk.mail.tests.test_connectivity import an_application, connected
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.tests.smtp_server import Received, Recorder, SmtpServer, free_port
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.drafts import ticket_file
from tests.servers.certificates import Certificate
from tests.servers.oauth import ACCOUNT, AuthorizationServer


class OAuthOnlyRecorder(Recorder):
    """Records mail, and who signed in to send it (XOAUTH2, checked with the provider)."""

    def __init__(self, provider: AuthorizationServer) -> None:
        super().__init__()
        self.provider = provider
        self.signed_in: list[str] = []

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.envelope_to]

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:  # noqa: N802
        try:
            fields = base64.b64decode(args[1]).decode().split("\x01")
            user = fields[0].removeprefix("user=")
            token = fields[1].removeprefix("auth=Bearer ")
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False)
        if self.provider.active_account(token) != user:
            return AuthResult(success=False, handled=False)
        self.signed_in.append(user)
        return AuthResult(success=True, auth_data=user)


@pytest.fixture
def provider_smtp(
    mail_certificate: Certificate, oauth_server: AuthorizationServer, settings: Any
) -> Iterator[tuple[int, OAuthOnlyRecorder]]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(mail_certificate.cert, mail_certificate.key)
    recorder = OAuthOnlyRecorder(oauth_server)
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN", "PLAIN"],
    )
    controller.start()
    yield port, recorder
    controller.stop()


def a_mailbox(org: Org, name: str, address: str, **fields: Any) -> Mailbox:
    return Mailbox.objects.create(
        name=name, address=address, agency=org.agency, assignment_group=org.desk_group, **fields
    )


def mail_to(address: str, message_id: str) -> bytes:
    raw = eml("new_ticket.eml").replace(b"desk@example.org", address.encode())
    return raw.replace(b"new-ticket-1@", message_id.encode() + b"@")


def test_each_mailbox_answers_from_its_own_address_and_the_portal_from_the_desk(
    org: Org, smtp_server: SmtpServer, settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Service Desk <servicedesk@example.org>"
    hr = a_mailbox(org, "HR desk", "hr@example.org", from_address="HR Help <hr@example.org>")
    it = a_mailbox(org, "IT desk", "it@example.org")
    receive(hr, mail_to("hr@example.org", "hr-1"))
    receive(it, mail_to("it@example.org", "it-1"))
    ticket_file(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Monitor flickers",
        description="Since the update",
        affected_people=[],
    )
    deliver_all_due()

    hr_ticket, it_ticket, portal_ticket = Ticket.objects.order_by("pk")
    senders = {
        ticket.number: str(mail.message["From"])
        for mail in smtp_server.to(org.employee.email)
        for ticket in (hr_ticket, it_ticket, portal_ticket)
        if f"[{ticket.number}]" in str(mail.message["Subject"])
    }
    assert len(senders) == 3
    assert senders[hr_ticket.number] == "HR Help <hr@example.org>"
    # No From address of its own and no server of its own: the desk's sender.
    assert senders[it_ticket.number] == "Service Desk <servicedesk@example.org>"
    assert senders[portal_ticket.number] == "Service Desk <servicedesk@example.org>"


def test_a_cloud_mailbox_sends_through_its_own_server_signed_in_with_oauth(
    org: Org,
    smtp_server: SmtpServer,
    provider_smtp: tuple[int, OAuthOnlyRecorder],
    oauth_server: AuthorizationServer,
    trusted_certificate: Path,
) -> None:
    port, provider = provider_smtp
    cloud = a_mailbox(
        org,
        "Cloud desk",
        "desk@example.org",
        imap_user=ACCOUNT,
        oauth_application=an_application(oauth_server),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=TransportSecurity.STARTTLS,
    )
    connected(cloud, oauth_server)
    receive(cloud, eml("new_ticket.eml"))
    ticket_file(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Monitor flickers",
        description="Since the update",
        affected_people=[],
    )
    report = deliver_all_due()
    assert report.failed == report.retrying == 0

    [via_cloud] = provider.to(org.employee.email)
    assert str(via_cloud.message["From"]) == "desk@example.org"
    assert Ticket.objects.order_by("pk")[0].number in str(via_cloud.message["Subject"])
    assert provider.signed_in == [ACCOUNT]
    # The portal's ticket went through the desk's own server, as before.
    [via_desk] = smtp_server.to(org.employee.email)
    assert "Monitor flickers" in str(via_desk.message["Subject"])

    # An access token about to end is renewed before the next mail, not after a refusal.
    MailboxOAuthToken.objects.update(access_expires_at=timezone.now() + timedelta(seconds=30))
    refreshed = oauth_server.calls["refresh_token"]
    receive(cloud, mail_to("desk@example.org", "second"))
    deliver_all_due()
    assert oauth_server.calls["refresh_token"] == refreshed + 1
    assert len(provider.to(org.employee.email)) == 2 and provider.signed_in == [ACCOUNT] * 2


def test_a_refused_token_leaves_the_mail_waiting_with_the_reason(
    org: Org,
    provider_smtp: tuple[int, OAuthOnlyRecorder],
    oauth_server: AuthorizationServer,
    trusted_certificate: Path,
) -> None:
    port, provider = provider_smtp
    cloud = a_mailbox(
        org,
        "Cloud desk",
        "desk@example.org",
        imap_user=ACCOUNT,
        oauth_application=an_application(oauth_server),
        smtp_host="127.0.0.1",
        smtp_port=port,
    )
    connected(cloud, oauth_server)
    receive(cloud, eml("new_ticket.eml"))
    oauth_server.revoke_refresh_tokens()

    report = deliver_all_due()

    assert report.sent == 0 and report.retrying >= 1
    row = OutboundEmail.objects.filter(to_address=org.employee.email).get()
    assert row.state == DeliveryState.PENDING and "invalid_grant" in row.last_error
    assert provider.received == []


def test_the_senders_of_a_batch_are_found_in_two_queries(
    org: Org, django_assert_num_queries: Any
) -> None:
    boxes = [a_mailbox(org, f"Desk {n}", f"desk{n}@example.org") for n in range(3)]
    for number, box in enumerate(boxes):
        receive(box, mail_to(box.address, f"batch-{number}"))
    tickets = list(Ticket.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):
        routes = routes_for([*tickets, None])
    assert len(routes) == 3


@pytest.fixture
def starttls_desk_server(
    mail_certificate: Certificate, settings: Any
) -> Iterator[tuple[int, Recorder]]:
    """The desk's own outgoing server, which takes mail only after STARTTLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(mail_certificate.cert, mail_certificate.key)
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = True, 5
    yield port, recorder
    controller.stop()


def test_the_desk_server_is_reached_over_starttls_and_its_certificate_checked(
    org: Org,
    desk_mailbox: Mailbox,
    starttls_desk_server: tuple[int, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    mail_certificate: Certificate,
) -> None:
    _, recorder = starttls_desk_server
    receive(desk_mailbox, eml("new_ticket.eml"))
    untrusted = deliver_all_due()
    assert untrusted.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in untrusted.errors[0]

    monkeypatch.setenv("SSL_CERT_FILE", str(mail_certificate.cert))
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    assert deliver_all_due().failed == 0
    assert [org.employee.email] in [mail.envelope_to for mail in recorder.received]


def test_a_mailbox_whose_sign_in_fails_is_asked_once_per_batch(
    org: Org,
    provider_smtp: tuple[int, OAuthOnlyRecorder],
    oauth_server: AuthorizationServer,
    trusted_certificate: Path,
) -> None:
    port, _ = provider_smtp
    cloud = a_mailbox(
        org,
        "Cloud desk",
        "desk@example.org",
        imap_user=ACCOUNT,
        oauth_application=an_application(oauth_server),
        smtp_host="127.0.0.1",
        smtp_port=port,
    )
    connected(cloud, oauth_server)
    for number in range(3):
        receive(cloud, mail_to("desk@example.org", f"several-{number}"))
    oauth_server.revoke_refresh_tokens()
    refreshed = oauth_server.calls["refresh_token"]

    report = deliver_all_due()

    assert report.retrying >= 3 and report.sent == 0
    assert oauth_server.calls["refresh_token"] == refreshed + 1
