"""Stored messages becoming tickets and comments — or, safely, not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.mail.choices import HoldReason, InboundState
from servicedesk.mail.ingest import process_message, receive, reprocess, store_message
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import eml
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.models import OutboundEmail
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Attachment, Comment, Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition


def filed(org: Org, mailbox: Mailbox) -> Ticket:
    row = receive(mailbox, eml("new_ticket.eml"))
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    return row.ticket


def resolved(org: Org, mailbox: Mailbox) -> Ticket:
    ticket = filed(org, mailbox)
    return ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="New fuser"
    )


def test_a_new_mail_becomes_a_routed_ticket_and_is_acknowledged(
    org: Org, desk_mailbox: Mailbox
) -> None:
    ticket = filed(org, desk_mailbox)
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester == org.employee
    assert ticket.short_description == "Printer on the 3rd floor jams"
    assert "Café staff" in ticket.description
    assert ticket.assignment_group == org.desk_group and ticket.agency == org.agency
    [ack] = OutboundEmail.objects.filter(kind=NotificationKind.ACKNOWLEDGEMENT)
    assert ack.to_address == org.employee.email and ticket.number in ack.subject


def test_a_reply_with_our_headers_becomes_a_trimmed_comment(
    org: Org, desk_mailbox: Mailbox
) -> None:
    ticket = filed(org, desk_mailbox)
    row = receive(desk_mailbox, eml("reply_with_headers.eml", ticket))
    assert row.state == InboundState.PROCESSED and row.ticket == ticket
    assert row.comment is not None
    assert row.comment.body == "It jammed again just now, this time with a grinding noise."
    assert row.comment.channel == Channel.EMAIL and not row.comment.is_internal
    assert b"wrote:" in bytes(row.raw)  # the original is kept
    assert Ticket.objects.count() == 1


def test_a_reply_that_kept_only_the_number_in_the_subject(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = filed(org, desk_mailbox)
    row = receive(desk_mailbox, eml("reply_subject_only.eml", ticket))
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.comment is not None and row.comment.ticket == ticket
    assert row.comment.body.startswith("Facilities say the fuser is worn")
    assert "Sent:" not in row.comment.body


def test_a_forged_reply_is_quarantined(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = filed(org, desk_mailbox)
    row = receive(desk_mailbox, eml("forged_reply.eml", ticket))
    assert row.state == InboundState.QUARANTINED
    assert row.held_because == HoldReason.FORGED_TOKEN
    assert "forged reply token" in row.reason and row.ticket == ticket
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.count() == 1


def test_an_out_of_office_reply_files_nothing_reopens_nothing_answers_nothing(
    org: Org, desk_mailbox: Mailbox
) -> None:
    ticket = resolved(org, desk_mailbox)
    mails_before = OutboundEmail.objects.count()
    for name in ("out_of_office.eml", "bounce_dsn.eml"):
        row = receive(desk_mailbox, eml(name, ticket))
        assert row.state == InboundState.IGNORED, row.reason
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED
    assert Ticket.objects.count() == 1 and not Comment.objects.exists()
    assert OutboundEmail.objects.count() == mails_before


def test_our_own_mail_coming_back_is_ignored(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = filed(org, desk_mailbox)
    ack = OutboundEmail.objects.get(kind=NotificationKind.ACKNOWLEDGEMENT)
    raw = (
        f"From: {org.employee.email}\r\nMessage-ID: {ack.headers['Message-ID']}\r\n"
        f"Subject: {ack.subject}\r\n\r\n{ack.body_text}"
    ).encode()
    row = receive(desk_mailbox, raw)
    assert row.state == InboundState.IGNORED and "our own mail" in row.reason
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_a_requester_reply_within_the_dispute_window_reopens(
    org: Org, desk_mailbox: Mailbox
) -> None:
    ticket = resolved(org, desk_mailbox)
    row = receive(desk_mailbox, eml("reply_with_headers.eml", ticket))
    assert "reopened" in row.reason
    ticket.refresh_from_db()
    assert ticket.state == TicketState.IN_PROGRESS


def test_after_the_window_a_reply_only_comments(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = resolved(org, desk_mailbox)
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    row = receive(desk_mailbox, eml("reply_with_headers.eml", ticket))
    assert row.state == InboundState.PROCESSED and row.comment is not None
    ticket.refresh_from_db()
    assert ticket.state == TicketState.RESOLVED


def test_a_reply_to_a_closed_ticket_files_a_follow_up(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = resolved(org, desk_mailbox)
    ticket_transition(ticket, actor=org.employee, version=None, to=TicketState.CLOSED)
    row = receive(desk_mailbox, eml("reply_with_headers.eml", ticket))
    assert row.ticket is not None and row.ticket != ticket
    assert row.ticket.description.startswith(f"Follow-up to {ticket.number}")


def test_sloppy_mail_becomes_a_ticket_and_unusable_mail_is_kept_as_failed(
    org: Org, desk_mailbox: Mailbox
) -> None:
    broken = receive(desk_mailbox, eml("malformed_mime.eml"))
    charset = receive(desk_mailbox, eml("unknown_charset.eml"))
    no_sender = receive(desk_mailbox, eml("no_sender.eml"))
    good = receive(desk_mailbox, eml("new_ticket.eml"))
    assert (broken.state, charset.state) == (InboundState.PROCESSED, InboundState.PROCESSED)
    assert broken.ticket is not None and "claims to be multipart" in broken.ticket.description
    assert "Read leniently: broken MIME structure read as text" in broken.reason
    assert no_sender.state == InboundState.FAILED
    assert "no usable sender address" in no_sender.reason
    assert good.state == InboundState.PROCESSED


def test_a_bug_while_processing_keeps_the_mail_as_failed(
    org: Org, desk_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("servicedesk.mail.ingest.file_ticket", explode)
    row = receive(desk_mailbox, eml("new_ticket.eml"))
    assert row.state == InboundState.FAILED and "disk full" in row.reason
    assert not Ticket.objects.exists()
    monkeypatch.undo()
    assert reprocess([row]) == 1
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED and row.ticket is not None


def test_attachments_obey_the_portals_limits(org: Org, desk_mailbox: Mailbox) -> None:
    row = receive(desk_mailbox, eml("with_attachment.eml"))
    assert row.state == InboundState.PROCESSED
    assert [a.original_name for a in Attachment.objects.all()] == ["screenshot.png"]
    assert "fix.exe was not attached" in row.reason


def test_each_message_is_stored_once(org: Org, desk_mailbox: Mailbox) -> None:
    raw = eml("new_ticket.eml")
    first, created = store_message(desk_mailbox, raw)
    again, created_again = store_message(desk_mailbox, raw)
    assert created and not created_again and again.pk == first.pk
    no_id = b"From: employee@example.org\r\nSubject: no id\r\n\r\nbody\r\n"
    assert store_message(desk_mailbox, no_id)[1]
    assert not store_message(desk_mailbox, no_id)[1]
    process_message(first)
    process_message(first)  # processing twice files once
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 2


def test_unknown_senders_wait_or_become_requesters_per_setting(
    org: Org, desk_mailbox: Mailbox, settings
) -> None:
    raw = eml("new_ticket.eml").replace(b"employee@example.org", b"newcomer@example.org")
    row = receive(desk_mailbox, raw)
    assert row.state == InboundState.QUARANTINED and "not in the directory" in row.reason
    settings.SERVICEDESK_MAIL_UNKNOWN_SENDER = "create"
    reprocess([row])
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED and row.ticket is not None
    assert row.ticket.requester.email == "newcomer@example.org"
    assert not row.ticket.requester.has_usable_password()


def test_a_flood_from_one_sender_is_capped(org: Org, desk_mailbox: Mailbox, settings) -> None:
    settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP = 3
    states = []
    for index in range(5):
        raw = eml("new_ticket.eml").replace(b"new-ticket-1@", f"flood-{index}@".encode())
        states.append(receive(desk_mailbox, raw).state)
    assert states == [InboundState.PROCESSED] * 3 + [InboundState.QUARANTINED] * 2
    # The loop is broken: no more acknowledgements.
    assert OutboundEmail.objects.filter(kind=NotificationKind.ACKNOWLEDGEMENT).count() == 3


def test_staff_replies_by_mail_reach_the_requester(org: Org, desk_mailbox: Mailbox) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    # An agent in no support group knows only the tickets assigned to them.
    night = make_person("night", Role.AGENT, org.fiber)
    Mailbox.objects.filter(pk=desk_mailbox.pk).update(authserv_id="mx.example.org")
    desk_mailbox.refresh_from_db()
    raw = b"Authentication-Results: mx.example.org; dmarc=pass header.from=example.org\r\n" + eml(
        "reply_subject_only.eml", ticket
    ).replace(b"Employee@Example.org", night.email.encode())
    row = receive(desk_mailbox, raw)
    assert row.state == InboundState.QUARANTINED  # the agent may not know the ticket yet
    assert row.held_because == HoldReason.NOT_PARTICIPANT
    Ticket.objects.filter(pk=ticket.pk).update(assignee=night)
    reprocess([row])
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED
    reply_mail = OutboundEmail.objects.get(kind=NotificationKind.REPLY)
    assert reply_mail.to_address == org.employee.email
