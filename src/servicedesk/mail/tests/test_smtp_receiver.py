"""The SMTP receiver (`servicedesk receive_mail`): direct delivery, answered only once stored."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import desk_receiver
from servicedesk.mail.tests.conftest import Receiver, eml
from servicedesk.notifications.tests.smtp_server import free_port
from servicedesk.tickets.models import Ticket
from tests.servers.certificates import Certificate


def test_mail_sent_to_the_desk_address_becomes_a_ticket(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        refused = client.sendmail(
            "employee@example.org", ["desk@example.org"], eml("new_ticket.eml")
        )
        client.sendmail("employee@example.org", ["desk@example.org"], eml("new_ticket.eml"))
    assert refused == {}
    row = InboundMessage.objects.get()
    assert row.state == InboundState.PROCESSED
    assert Ticket.objects.get().requester == org.employee


def test_mail_for_other_addresses_is_refused(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    with (
        smtplib.SMTP("127.0.0.1", receiver.port) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.sendmail("employee@example.org", ["someone@else.example"], b"Subject: x\r\n\r\n")
    assert not InboundMessage.objects.exists()


@pytest.fixture
def tls_receiver(
    transactional_db: None, settings: Any, mail_certificate: Certificate
) -> Iterator[int]:
    """The receiver as `servicedesk receive_mail` starts it with a certificate configured and
    STARTTLS required."""
    settings.SERVICEDESK_SMTP_RECEIVER_TLS_CERT = str(mail_certificate.cert)
    settings.SERVICEDESK_SMTP_RECEIVER_TLS_KEY = str(mail_certificate.key)
    settings.SERVICEDESK_SMTP_RECEIVER_REQUIRE_TLS = True
    port = free_port()
    controller = desk_receiver("127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


def test_with_a_certificate_the_receiver_takes_mail_only_over_starttls(
    org: Org, desk_mailbox: Mailbox, tls_receiver: int, mail_certificate: Certificate
) -> None:
    with smtplib.SMTP("127.0.0.1", tls_receiver) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("employee@example.org", ["desk@example.org"], eml("new_ticket.eml"))
        assert refused.value.smtp_code == 530  # "Must issue a STARTTLS command first"
    assert not InboundMessage.objects.exists()

    trusting = ssl.create_default_context(cafile=str(mail_certificate.cert))
    with smtplib.SMTP("127.0.0.1", tls_receiver) as client:
        client.starttls(context=trusting)
        assert isinstance(client.sock, ssl.SSLSocket)
        assert client.sock.version() in {"TLSv1.2", "TLSv1.3"}
        client.sendmail("employee@example.org", ["desk@example.org"], eml("new_ticket.eml"))
    assert Ticket.objects.get().requester == org.employee


def test_without_a_certificate_starttls_is_not_offered(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    with smtplib.SMTP("127.0.0.1", receiver.port) as client:
        client.ehlo()
        assert not client.has_extn("starttls")


def test_an_unreadable_certificate_stops_the_receiver_with_the_setting_named(
    settings: Any, tmp_path: Path
) -> None:
    settings.SERVICEDESK_SMTP_RECEIVER_TLS_CERT = str(tmp_path / "missing.crt")
    with pytest.raises(ImproperlyConfigured, match="SERVICEDESK_SMTP_RECEIVER_TLS_CERT"):
        desk_receiver("127.0.0.1", free_port())
