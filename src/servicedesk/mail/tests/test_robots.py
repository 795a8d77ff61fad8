"""Robots and bounces, through the real SMTP receiver and the private Dovecot: auto-replies
without the standard headers are never filed nor answered; a robot that strips our tag is
braked per thread; a bounce of our mail marks the address, tells the ticket's agents, and stops
mail to it until someone clears the mark."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.mail.choices import HoldReason, InboundState
from servicedesk.mail.fetching import fetch_mailbox
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import Dovecot, Receiver, mail
from servicedesk.notifications.bounces import MARKED_ERROR
from servicedesk.notifications.choices import DeliveryState, NotificationKind
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.models import OutboundEmail, UndeliverableAddress
from servicedesk.notifications.services import outbox_retry
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import comment_add


def nothing_filed_nor_answered() -> bool:
    return not Ticket.objects.exists() and not OutboundEmail.objects.exists()


AUTO_REPLY_SUBJECTS = [
    "Automatic reply: Printer on the 3rd floor jams",
    "Out of Office: Printer",
    "Abwesenheitsnotiz: Drucker",
    "Automatische Antwort: Drucker",
    "Réponse automatique : Imprimante",
    "Respuesta automática: Impresora",
    "Risposta automatica: Stampante",
    "Automatisch antwoord: Printer",
    "Autosvar: Skrivare",
    "Автоответ: Принтер",
    "自动回复: 打印机",
]
# One SMTP session each (a transactional test costs a database flush, seconds on PostgreSQL).


def test_auto_replies_recognised_by_subject_are_ignored(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    for subject in AUTO_REPLY_SUBJECTS:
        row = receiver.send(mail(subject=subject, body="Back on Monday."))
        assert row.state == InboundState.IGNORED and "auto-reply" in row.reason, subject
    assert nothing_filed_nor_answered()


AUTO_REPLIES_WITHOUT_TELLING_SUBJECT = [
    ({"X-Auto-Response-Suppress": "All"}, "Thanks"),
    ({"X-Auto-Response-Suppress": "DR, OOF, AutoReply"}, "Thanks"),
    ({}, "I am out of the office until March 10 with limited access to e-mail."),
    ({}, "Thank you for your email. I am currently away and will reply on my return."),
    ({}, "Ich bin bis zum 10. März nicht im Büro und lese keine E-Mails."),
    ({}, "Je suis absente du bureau jusqu'au 10 mars."),
    ({}, "This is an automated response: your message was received."),
]


def test_auto_replies_recognised_by_header_or_body_are_ignored(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    for headers, body in AUTO_REPLIES_WITHOUT_TELLING_SUBJECT:
        row = receiver.send(mail(subject="Re: Printer", body=body, headers=headers))
        assert row.state == InboundState.IGNORED, (body, row.reason)
    assert nothing_filed_nor_answered()


def test_people_writing_about_auto_replies_still_get_a_ticket(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    for subject, body in [
        ("Automatic reply stopped working", "My out-of-office does not switch on."),
        ("Out of office setting broken", "Outlook refuses to save it."),
        ("VPN", "I am out of the office and cannot reach the VPN."),
    ]:
        row = receiver.send(mail(subject=subject, body=body))
        assert row.state == InboundState.PROCESSED, (subject, row.reason)


def test_a_robot_that_strips_our_tag_is_braked_per_thread(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver, settings
) -> None:
    settings.SERVICEDESK_MAIL_THREAD_HOURLY_CAP = 3
    robot = make_person("scanner", Role.REQUESTER, org.fiber)
    row = receiver.send(mail(sender=robot.email, subject="Toner low", body="Tray 2: 5 %"))
    rows = [row]
    for _ in range(10):
        acks = OutboundEmail.objects.filter(
            kind=NotificationKind.ACKNOWLEDGEMENT, to_address=robot.email
        ).order_by("-pk")
        # It answers our newest acknowledgement, tag and thread headers stripped.
        subject = re.sub(r"\[[A-Z]+\d+\] ", "", acks[0].subject)
        rows.append(receiver.send(mail(sender=robot.email, subject=f"Re: {subject}", body="OK")))
    assert Ticket.objects.count() == 3  # not 11: the loop stops at the thread's cap
    assert OutboundEmail.objects.filter(kind=NotificationKind.ACKNOWLEDGEMENT).count() == 3
    assert [r.held_because for r in rows[3:]] == [HoldReason.LOOP] * 8
    # The sender's other business is not braked.
    other = receiver.send(mail(sender=robot.email, subject="Paper jam", body="Tray 1"))
    assert other.state == InboundState.PROCESSED, other.reason


def dsn(ack: OutboundEmail, recipient: str, *, message_id: str | None = None) -> bytes:
    """A delivery status notification as Postfix writes it, for our mail `ack`."""
    original = message_id or ack.headers["Message-ID"]
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: desk@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{abs(hash((original, recipient)))}@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: desk@example.org\r\nTo: {recipient}\r\nSubject: {ack.subject}\r\n"
        f"Message-ID: {original}\r\n"
        "\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def sent_ack(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver, smtp_server: SmtpServer
) -> OutboundEmail:
    receiver.send(mail())
    deliver_all_due()
    ack = OutboundEmail.objects.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert ack.state == DeliveryState.SENT
    return ack


def test_a_bounce_marks_the_address_tells_the_agent_and_stops_mail_until_cleared(
    org: Org, receiver: Receiver, smtp_server: SmtpServer, sent_ack: OutboundEmail
) -> None:
    ticket = Ticket.objects.get()
    row = receiver.send(dsn(sent_ack, org.employee.email))
    assert row.state == InboundState.IGNORED and row.ticket == ticket, row.reason
    mark = UndeliverableAddress.objects.get()
    assert mark.address == org.employee.email and mark.is_marked and mark.outbound == sent_ack
    sent_ack.refresh_from_db()
    assert sent_ack.state == DeliveryState.FAILED and "5.1.1" in sent_ack.last_error
    note = Comment.objects.get(ticket=ticket)
    assert note.is_internal and f"Mail to {org.employee.email} bounced" in note.body
    # The agent's next reply is not sent to the bouncing address.
    received = len(smtp_server.to(org.employee.email))
    comment_add(ticket, actor=org.desk, body="Which tray?")
    deliver_all_due()
    reply = OutboundEmail.objects.get(kind=NotificationKind.REPLY)
    assert reply.state == DeliveryState.FAILED and reply.last_error == MARKED_ERROR
    assert len(smtp_server.to(org.employee.email)) == received
    # An agent fixes the address and clears the mark: mail goes out again.
    client = Client()
    client.force_login(org.desk)
    assert org.employee.email.encode() in client.get("/workspace/mail/").content
    assert client.post(f"/workspace/mail/undeliverable/{mark.pk}/clear/").status_code == 302
    mark.refresh_from_db()
    assert not mark.is_marked and mark.cleared_by == org.desk
    outbox_retry([reply])
    deliver_all_due()
    assert len(smtp_server.to(org.employee.email)) == received + 1


@pytest.mark.parametrize("tie", ["unknown-message-id", "other-recipient"])
def test_a_bounce_not_tied_to_our_mail_marks_nothing(
    org: Org, receiver: Receiver, smtp_server: SmtpServer, sent_ack: OutboundEmail, tie: str
) -> None:
    if tie == "unknown-message-id":
        raw = dsn(sent_ack, org.employee.email, message_id="<made-up@elsewhere.example>")
    else:  # someone who got our mail claims another address bounced
        raw = dsn(sent_ack, org.lead.email)
    row = receiver.send(raw)
    assert row.state == InboundState.IGNORED
    assert not UndeliverableAddress.objects.exists()
    assert not Comment.objects.exists()


def test_a_bounce_fetched_over_imap_marks_the_address(
    org: Org,
    imap_mailbox: Mailbox,
    dovecot: Dovecot,
    receiver: Receiver,
    smtp_server: SmtpServer,
    sent_ack: OutboundEmail,
) -> None:
    dovecot.deliver(dsn(sent_ack, org.employee.email))
    fetch_mailbox(imap_mailbox)
    assert UndeliverableAddress.objects.get().address == org.employee.email
    assert InboundMessage.objects.order_by("-pk")[0].state == InboundState.IGNORED
