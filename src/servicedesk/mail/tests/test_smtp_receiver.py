"""The SMTP receiver (`servicedesk receive_mail`): direct delivery, answered only once stored."""

from __future__ import annotations

import smtplib

import pytest

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import Receiver, eml
from servicedesk.tickets.models import Ticket


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
