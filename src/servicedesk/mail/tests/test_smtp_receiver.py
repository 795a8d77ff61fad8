"""The SMTP receiver (`servicedesk receive_mail`): direct delivery, answered only once stored."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import DeskHandler
from servicedesk.mail.tests.conftest import eml
from servicedesk.notifications.tests.smtp_server import free_port
from servicedesk.tickets.models import Ticket


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[int]:
    # The handler stores mail from its own thread, so the rows it writes must really commit.
    port = free_port()
    controller = Controller(DeskHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_mail_sent_to_the_desk_address_becomes_a_ticket(
    org: Org, desk_mailbox: Mailbox, receiver: int
) -> None:
    with smtplib.SMTP("127.0.0.1", receiver) as client:
        refused = client.sendmail(
            "employee@example.org", ["desk@example.org"], eml("new_ticket.eml")
        )
        client.sendmail("employee@example.org", ["desk@example.org"], eml("new_ticket.eml"))
    assert refused == {}
    row = InboundMessage.objects.get()
    assert row.state == InboundState.PROCESSED
    assert Ticket.objects.get().requester == org.employee


def test_mail_for_other_addresses_is_refused(
    org: Org, desk_mailbox: Mailbox, receiver: int
) -> None:
    with (
        smtplib.SMTP("127.0.0.1", receiver) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.sendmail("employee@example.org", ["someone@else.example"], b"Subject: x\r\n\r\n")
    assert not InboundMessage.objects.exists()
