"""Identity, through the real SMTP receiver and the private Dovecot: what "already received"
means, one ticket for a mail to several desk addresses, people in Cc, and threading by the
References chain of the mail we stored."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.conftest import Org
from servicedesk.mail.choices import CcPolicy, HoldReason, InboundState
from servicedesk.mail.fetching import fetch_mailbox
from servicedesk.mail.identity import fingerprint
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import Dovecot, Receiver, mail
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.models import OutboundEmail
from servicedesk.tickets.models import Comment, Ticket, TicketWatcher


@pytest.fixture
def second_mailbox(org: Org) -> Mailbox:
    return Mailbox.objects.create(
        name="IT", address="it@example.org", agency=org.agency, assignment_group=org.desk_group
    )


def test_a_different_message_reusing_a_message_id_is_processed(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    first = receiver.send(mail(message_id="<same@mail.example.org>", subject="Printer jams"))
    other = receiver.send(
        mail(message_id="<same@mail.example.org>", subject="VPN drops", body="Every hour.")
    )
    assert (first.state, other.state) == (InboundState.PROCESSED, InboundState.PROCESSED)
    assert first.pk != other.pk
    assert sorted(Ticket.objects.values_list("short_description", flat=True)) == [
        "Printer jams",
        "VPN drops",
    ]


def test_the_same_message_again_by_another_route_is_received_once(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    raw = mail(message_id="<once@mail.example.org>")
    receiver.send(raw)
    # A relay retried after a lost answer, and another server stamped its trace on top.
    relayed = b"Received: from relay.example.org by mx.example.org\r\n" + raw
    receiver.send(relayed)
    assert fingerprint(relayed) == fingerprint(raw)
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


def test_one_mail_to_two_desk_addresses_is_one_ticket(
    org: Org, desk_mailbox: Mailbox, second_mailbox: Mailbox, receiver: Receiver
) -> None:
    raw = mail(to="desk@example.org, it@example.org")
    receiver.send(raw, to=["desk@example.org", "it@example.org"])
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert OutboundEmail.objects.filter(kind=NotificationKind.ACKNOWLEDGEMENT).count() == 1


def test_one_mail_fetched_over_imap_and_received_over_smtp_is_one_ticket(
    org: Org,
    imap_mailbox: Mailbox,
    second_mailbox: Mailbox,
    dovecot: Dovecot,
    receiver: Receiver,
) -> None:
    raw = mail(to="desk@example.org", headers={"Cc": "it@example.org"})
    dovecot.deliver(b"Delivered-To: desk@example.org\r\n" + raw)
    fetch_mailbox(imap_mailbox)
    receiver.send(raw, to=["it@example.org"])
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_people_in_cc_become_watchers_if_they_may_see_the_ticket(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    cc = f"{org.network.email}, {org.colleague.email}, it@example.org, stranger@nowhere.example"
    row = receiver.send(mail(headers={"Cc": cc}))
    assert row.state == InboundState.PROCESSED, row.reason
    ticket = Ticket.objects.get()
    # The network agent may see it (their group serves everyone) and watches; the colleague
    # may not, so is not added.
    assert [w.person for w in TicketWatcher.objects.filter(ticket=ticket)] == [org.network]
    assert not ticket.affected_people.exists()
    assert "colleague@example.org may not see the ticket" in row.reason


def test_people_in_cc_become_affected_when_the_mailbox_says_so(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    desk_mailbox.cc_become = CcPolicy.AFFECTED
    desk_mailbox.save()
    receiver.send(mail(headers={"Cc": org.colleague.email}))
    ticket = Ticket.objects.get()
    assert list(ticket.affected_people.all()) == [org.colleague]
    # Now in the conversation: the colleague's reply to the thread is posted.
    reply = mail(
        sender=org.colleague.email,
        subject="Re: Printer on the 3rd floor jams",
        body="Same on the 4th floor.",
        headers={"In-Reply-To": InboundMessage.objects.get().message_id},
    )
    row = receiver.send(reply)
    assert row.state == InboundState.PROCESSED and row.ticket == ticket, row.reason


def test_a_reply_to_ones_own_first_mail_lands_on_its_ticket(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    first = receiver.send(mail(message_id="<first@mail.example.org>"))
    follow = mail(
        subject="Re: Printer on the 3rd floor jams",
        body="Now it jams on every page.",
        message_id="<second@mail.example.org>",
        headers={"In-Reply-To": "<first@mail.example.org>"},
    )
    row = receiver.send(follow)
    assert row.state == InboundState.PROCESSED and row.ticket == first.ticket, row.reason
    assert Comment.objects.get().body == "Now it jams on every page."
    # And further down the chain: References names the whole thread, oldest first.
    third = mail(
        subject="Re: Re: Printer",
        body="Fixed itself.",
        headers={
            "In-Reply-To": "<unknown@elsewhere.example>",
            "References": "<first@mail.example.org> <second@mail.example.org>",
        },
    )
    assert receiver.send(third).ticket == first.ticket
    assert Ticket.objects.count() == 1


def test_the_thread_counts_only_for_participants(
    org: Org, desk_mailbox: Mailbox, receiver: Receiver
) -> None:
    receiver.send(mail(message_id="<first@mail.example.org>"))
    stranger = mail(
        sender=org.stranger.email,
        subject="Re: Printer on the 3rd floor jams",
        headers={"In-Reply-To": "<first@mail.example.org>"},
    )
    row = receiver.send(stranger)
    assert row.held_because == HoldReason.NOT_PARTICIPANT
    assert not Comment.objects.exists()


def test_a_reply_over_imap_without_tag_or_token_threads_by_references(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot
) -> None:
    dovecot.deliver(mail(message_id="<imap-first@mail.example.org>"))
    dovecot.deliver(
        mail(
            subject="Re: Printer on the 3rd floor jams",
            body="It has stopped now.",
            headers={"References": "<imap-first@mail.example.org>"},
        )
    )
    call_command("fetch_mail", stdout=StringIO())
    ticket = Ticket.objects.get()
    assert Comment.objects.get(ticket=ticket).body == "It has stopped now."
