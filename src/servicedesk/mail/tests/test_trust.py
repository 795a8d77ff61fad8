"""Trust, through the desk's real SMTP receiver: a From of our own domain that our receiving
server saw fail is held, never posted as that person; a reply token, a ticket number or a
thread counts only for people who may know the ticket; forged tokens are flagged; and held mail
is released or discarded by a reviewer, each decision recorded."""

from __future__ import annotations

import pytest
from django.test import Client

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.mail.choices import HoldReason, InboundState, ReviewAction
from servicedesk.mail.models import InboundMessage, InboundReview, Mailbox
from servicedesk.mail.review import ReviewRefusedError, held_discard, held_release
from servicedesk.mail.tests.conftest import Receiver, mail
from servicedesk.notifications.message_ids import thread_root_id
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import ticket_create, ticket_set_affected

OUR_SERVER = "mx.example.org"


@pytest.fixture
def mailbox(desk_mailbox: Mailbox) -> Mailbox:
    desk_mailbox.authserv_id = OUR_SERVER
    desk_mailbox.save()
    return desk_mailbox


def results(text: str) -> dict[str, str]:
    return {"Authentication-Results": f"{OUR_SERVER}; {text}"}


@pytest.mark.parametrize(
    "verdict",
    [
        "spf=fail smtp.mailfrom=example.org; dmarc=fail (p=reject) header.from=example.org",
        "spf=softfail smtp.mailfrom=example.org; dkim=fail header.d=example.org",
        "spf=fail smtp.mailfrom=example.org; dkim=none",
    ],
    ids=["dmarc-fail", "spf-and-dkim-fail", "spf-fail-unsigned"],
)
def test_an_employee_address_that_failed_authentication_is_held_not_posted(
    org: Org, mailbox: Mailbox, receiver: Receiver, verdict: str
) -> None:
    row = receiver.send(mail(headers=results(verdict)))
    assert row.state == InboundState.QUARANTINED, row.reason
    assert row.held_because == HoldReason.SPOOFED
    assert not Ticket.objects.exists()


def test_a_spoofed_reply_on_the_employees_own_ticket_is_not_their_comment(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    spoof = mail(
        subject=f"Re: [{ticket.number}] Fax",
        body="Please close it, all fine.",
        headers={
            **results("spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org"),
            "In-Reply-To": thread_root_id(ticket),
        },
    )
    row = receiver.send(spoof)
    assert row.held_because == HoldReason.SPOOFED
    assert not Comment.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    "verdict",
    [
        "",  # our server said nothing about it
        "dmarc=pass header.from=example.org",
        "spf=fail smtp.mailfrom=example.org; dkim=pass header.d=example.org",
    ],
    ids=["no-word", "dmarc-pass", "dkim-pass"],
)
def test_an_employee_address_that_did_not_fail_is_posted(
    org: Org, mailbox: Mailbox, receiver: Receiver, verdict: str
) -> None:
    headers = results(verdict) if verdict else {}
    row = receiver.send(mail(headers=headers))
    assert row.state == InboundState.PROCESSED, row.reason
    assert Ticket.objects.get().requester == org.employee


def test_only_our_own_domains_are_held_for_failing(
    org: Org, mailbox: Mailbox, receiver: Receiver, settings
) -> None:
    partner = make_person("partner", Role.REQUESTER, org.fiber)
    partner.email = "partner@tax.example"
    partner.save()
    failing = results("spf=fail smtp.mailfrom=tax.example; dmarc=fail header.from=tax.example")
    outside = receiver.send(mail(sender=partner.email, headers=failing))
    assert outside.state == InboundState.PROCESSED, outside.reason
    # Once the organisation says tax.example is one of its own domains, the same mail is held.
    settings.SERVICEDESK_MAIL_OWN_DOMAINS = ["tax.example"]
    inside = receiver.send(mail(sender=partner.email, subject="Again", headers=failing))
    assert inside.held_because == HoldReason.SPOOFED


def test_a_valid_token_counts_only_for_participants(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    # The employee forwarded our mail to a colleague, who answers it: token valid, not theirs.
    answer = mail(
        sender=org.colleague.email,
        subject="Re: We received your request: Fax",
        body="Mine does that too.",
        headers={"In-Reply-To": thread_root_id(ticket), "References": thread_root_id(ticket)},
    )
    row = receiver.send(answer)
    assert row.state == InboundState.QUARANTINED
    assert row.held_because == HoldReason.NOT_PARTICIPANT and row.ticket == ticket
    assert not Comment.objects.filter(ticket=ticket).exists()
    # Once affected, the colleague may know the ticket: the same kind of reply is posted.
    ticket_set_affected(ticket, actor=org.desk, people=[org.colleague])
    again = receiver.send(answer.replace(b"Mine does", b"Mine still does"))
    assert again.state == InboundState.PROCESSED, again.reason
    assert Comment.objects.get(ticket=ticket).author == org.colleague


def test_a_forged_token_is_flagged(org: Org, mailbox: Mailbox, receiver: Receiver) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    real = thread_root_id(ticket)
    forged = real.replace(real.split("-")[2][:20], "0" * 20)
    row = receiver.send(mail(subject=f"Re: [{ticket.number}] Fax", headers={"In-Reply-To": forged}))
    assert row.held_because == HoldReason.FORGED_TOKEN
    assert "forged reply token" in row.reason and row.ticket == ticket
    assert not Comment.objects.filter(ticket=ticket).exists()


def held_spoof(receiver: Receiver) -> InboundMessage:
    verdict = results("spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org")
    row = receiver.send(mail(headers=verdict))
    assert row.held_because == HoldReason.SPOOFED
    return row


def test_a_reviewer_releases_held_mail_and_it_is_posted_as_it_came(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    row = held_spoof(receiver)
    done = held_release(row, actor=org.desk, note="Emma confirmed by phone")
    assert done.state == InboundState.PROCESSED, done.reason
    assert done.ticket is not None and done.ticket.requester == org.employee
    [entry] = InboundReview.objects.all()
    assert (entry.actor, entry.action, entry.state_before) == (
        org.desk,
        ReviewAction.RELEASED,
        InboundState.QUARANTINED,
    )
    assert entry.note == "Emma confirmed by phone" and "fail sender authentication" in (
        entry.reason_before
    )
    with pytest.raises(ReviewRefusedError):
        held_discard(done, actor=org.desk)


def test_a_reviewer_discards_held_mail_for_good(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    row = held_spoof(receiver)
    done = held_discard(row, actor=org.desk, note="Phishing")
    assert done.state == InboundState.DISCARDED
    assert not Ticket.objects.exists()
    assert InboundReview.objects.get().action == ReviewAction.DISCARDED


def test_only_the_desk_that_knows_every_ticket_reviews(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    row = held_spoof(receiver)
    outsider = make_person("night", Role.AGENT, org.fiber)  # in no group: knows little
    with pytest.raises(ReviewRefusedError):
        held_release(row, actor=outsider)
    client = Client()
    client.force_login(outsider)
    page = client.get("/workspace/mail/")
    assert page.status_code == 200 and b"held-message" not in page.content
    assert client.post(f"/workspace/mail/held/{row.pk}/release/").status_code == 404
    row.refresh_from_db()
    assert row.state == InboundState.QUARANTINED


def test_the_mail_desk_page_lists_held_mail_and_releases_it(
    org: Org, mailbox: Mailbox, receiver: Receiver
) -> None:
    row = held_spoof(receiver)
    client = Client()
    client.force_login(org.desk)
    page = client.get("/workspace/mail/")
    assert b'data-testid="held-message"' in page.content
    assert b"every second page" in page.content  # the text, to judge it by
    response = client.post(f"/workspace/mail/held/{row.pk}/release/", {"note": "known"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == InboundState.PROCESSED
    page = client.get("/workspace/mail/")
    assert b'data-testid="held-message"' not in page.content
    assert b"Released" in page.content and b"known" in page.content


# The nav's polled list for a reviewer: session and person, the counts' version (newest history
# entry), their scope, the queue counts, the saved views, and the held-mail count.
NAV_QUERIES = 7


def test_the_nav_shows_reviewers_the_held_mail_in_one_query(
    org: Org, mailbox: Mailbox, receiver: Receiver, django_assert_num_queries
) -> None:
    client = Client()
    client.force_login(org.desk)
    verdict = results("spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org")
    for held in (1, 3):
        while InboundMessage.objects.count() < held:
            receiver.send(mail(headers=verdict))
        with django_assert_num_queries(NAV_QUERIES):
            nav = client.get("/workspace/counts/").content.decode()
        assert 'data-testid="nav-held-mail"' in nav and f">{held}</span>" in nav
    outsider = make_person("night", Role.AGENT, org.fiber)
    client.force_login(outsider)
    assert "nav-held-mail" not in client.get("/workspace/counts/").content.decode()


@pytest.mark.django_db
def test_someone_signed_out_following_the_held_mail_link_is_asked_to_sign_in() -> None:
    for path in ("/workspace/mail/", "/workspace/mail/held/1/release/"):
        response = Client().get(path) if path.endswith("mail/") else Client().post(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
