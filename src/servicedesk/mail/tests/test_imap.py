"""Mail in and out against real servers on loopback: Dovecot (IMAP) and aiosmtpd (SMTP)."""

from __future__ import annotations

import imaplib
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.fetching import fetch_mailbox
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import IMAP_PASSWORD, IMAP_USER, Dovecot, eml
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.tests.smtp_server import Received, SmtpServer
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import ticket_transition


def reply_to(mail: Received, body: str, *, keep_headers: bool = True) -> bytes:
    """What a mail client sends when the employee answers our mail (quoting it below)."""
    reply = EmailMessage()
    reply["From"] = mail.envelope_to[0]
    reply["To"] = "desk@example.org"
    reply["Subject"] = f"Re: {mail.message['Subject']}"
    reply["Message-ID"] = f"<reply-{abs(hash(body))}@mail.example.org>"
    if keep_headers:
        reply["In-Reply-To"] = mail.message["Message-ID"]
        reply["References"] = mail.message["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in mail.text.splitlines())
    reply.set_content(f"{body}\n\nOn Mon, 3 Mar 2025, Service Desk wrote:\n{quoted}\n")
    return reply.as_bytes()


def server_unseen(dovecot: Dovecot) -> int:
    client = imaplib.IMAP4("127.0.0.1", dovecot.port)
    client.login(IMAP_USER, IMAP_PASSWORD)
    client.select("INBOX", readonly=True)
    _, data = client.uid("SEARCH", "UNSEEN")
    client.logout()
    return len(data[0].split())


@pytest.mark.parametrize("keep_headers", [True, False], ids=["headers", "subject-only"])
def test_a_mail_becomes_a_ticket_and_the_reply_to_its_acknowledgement_a_comment(
    org: Org,
    imap_mailbox: Mailbox,
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    keep_headers: bool,
) -> None:
    dovecot.deliver(eml("new_ticket.eml"))
    report = fetch_mailbox(imap_mailbox)
    assert report.outcomes == {InboundState.PROCESSED: 1}
    ticket = Ticket.objects.get()

    deliver_all_due()
    # The requester's acknowledgement (the mailbox's group hears of the new ticket too).
    [ack] = smtp_server.to(ticket.requester.email)
    assert ticket.number in str(ack.message["Subject"])

    dovecot.deliver(reply_to(ack, "The printer now shows error E-52.", keep_headers=keep_headers))
    fetch_mailbox(imap_mailbox)
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "The printer now shows error E-52."
    assert Ticket.objects.count() == 1
    assert server_unseen(dovecot) == 0


def test_fetching_twice_files_once(org: Org, imap_mailbox: Mailbox, dovecot: Dovecot) -> None:
    dovecot.deliver(eml("new_ticket.eml"))
    dovecot.deliver(eml("with_attachment.eml"))
    fetch_mailbox(imap_mailbox)
    # The same mail again (a client re-sent it, or it was marked unread on the server).
    dovecot.deliver(eml("new_ticket.eml"))
    second = fetch_mailbox(imap_mailbox)
    assert second.fetched == 1 and second.new == 0
    call_command("fetch_mail", stdout=StringIO())
    assert Ticket.objects.count() == 2
    assert InboundMessage.objects.count() == 2


def test_a_crash_in_the_middle_of_a_batch_loses_nothing_and_files_nothing_twice(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(5):
        raw = eml("new_ticket.eml").replace(b"new-ticket-1@", f"batch-{index}@".encode())
        dovecot.deliver(raw.replace(b"jams", f"jams ({index})".encode()))
    real_process = "servicedesk.mail.fetching.process_message"
    seen = []

    def dies_on_the_third(row: InboundMessage) -> InboundMessage:
        seen.append(row.pk)
        if len(seen) == 3:
            raise KeyboardInterrupt("worker killed")  # not an Exception: nothing catches it
        from servicedesk.mail.ingest import process_message

        return process_message(row)

    monkeypatch.setattr(real_process, dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        fetch_mailbox(imap_mailbox)
    # The third was stored and flagged before the crash; two were never fetched.
    assert InboundMessage.objects.count() == 3
    assert server_unseen(dovecot) == 2
    monkeypatch.undo()

    fetch_mailbox(imap_mailbox)
    assert Ticket.objects.count() == 5
    assert set(InboundMessage.objects.values_list("state", flat=True)) == {InboundState.PROCESSED}
    assert server_unseen(dovecot) == 0


def test_a_message_is_flagged_seen_only_after_it_is_stored(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.deliver(eml("new_ticket.eml"))

    def storage_fails(*args: object) -> None:
        raise OSError("database went away")

    monkeypatch.setattr("servicedesk.mail.fetching.store_message", storage_fails)
    with pytest.raises(OSError):
        fetch_mailbox(imap_mailbox)
    assert server_unseen(dovecot) == 1  # still new on the server: the next run gets it
    monkeypatch.undo()
    fetch_mailbox(imap_mailbox)
    assert Ticket.objects.count() == 1 and server_unseen(dovecot) == 0


def test_an_out_of_office_reply_is_not_answered_and_reopens_nothing(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    dovecot.deliver(eml("new_ticket.eml"))
    fetch_mailbox(imap_mailbox)
    ticket = Ticket.objects.get()
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Fixed"
    )
    deliver_all_due()
    sent_before = len(smtp_server.received)
    dovecot.deliver(eml("out_of_office.eml", ticket))
    dovecot.deliver(eml("bounce_dsn.eml", ticket))
    report = fetch_mailbox(imap_mailbox)
    assert report.outcomes == {InboundState.IGNORED: 2}
    deliver_all_due()
    assert len(smtp_server.received) == sent_before
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED and Ticket.objects.count() == 1


def test_a_forged_and_a_malformed_message_wait_while_the_batch_goes_on(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot
) -> None:
    dovecot.deliver(eml("new_ticket.eml"))
    fetch_mailbox(imap_mailbox)
    ticket = Ticket.objects.get()
    for name in ("forged_reply.eml", "malformed_mime.eml", "no_sender.eml"):
        dovecot.deliver(eml(name, ticket))
    dovecot.deliver(eml("with_attachment.eml"))
    report = fetch_mailbox(imap_mailbox)
    assert report.outcomes == {
        InboundState.QUARANTINED: 1,
        InboundState.FAILED: 1,
        InboundState.PROCESSED: 2,
    }
    assert not Comment.objects.filter(ticket=ticket).exists()
