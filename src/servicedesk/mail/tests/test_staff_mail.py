"""Mail from a staff address, tried as an impersonator would: it is never posted as the staff
member unless our own receiving server vouched for the sender, and even then it is only a
comment (no change of state) unless the mailbox is trusted."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import receive
from servicedesk.mail.models import Mailbox
from servicedesk.mail.parsing import parse
from servicedesk.mail.screening import sender_authenticated
from servicedesk.mail.tests.conftest import eml
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.models import OutboundEmail
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition

OUR_SERVER = "mx.example.org"


@pytest.fixture
def mailbox(desk_mailbox: Mailbox) -> Mailbox:
    desk_mailbox.authserv_id = OUR_SERVER
    desk_mailbox.save()
    return desk_mailbox


def as_the_agent(ticket: Ticket, *headers: str) -> bytes:
    """The requester's reply, rewritten to come From the desk agent, with headers on top."""
    raw = eml("reply_subject_only.eml", ticket).replace(
        b"Employee@Example.org", b"desk@example.org"
    )
    return "".join(f"{header}\r\n" for header in headers).encode() + raw


@pytest.fixture
def assigned(org: Org) -> Ticket:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=org.desk)
    return Ticket.objects.get(pk=ticket.pk)


def nothing_posted(ticket: Ticket) -> bool:
    return (
        not Comment.objects.filter(ticket=ticket).exists()
        and not OutboundEmail.objects.filter(kind=NotificationKind.REPLY).exists()
    )


def test_a_forged_agent_reply_without_authentication_is_held(
    org: Org, mailbox: Mailbox, assigned: Ticket
) -> None:
    row = receive(mailbox, as_the_agent(assigned))
    assert row.state == InboundState.QUARANTINED
    assert "staff address" in row.reason
    assert nothing_posted(assigned)


@pytest.mark.parametrize(
    "headers",
    [
        # Our server says DMARC failed; a forged "pass" with our name sits below it.
        (
            f"Authentication-Results: {OUR_SERVER}; dmarc=fail header.from=example.org",
            f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=example.org",
        ),
        # Only some other server's word.
        ("Authentication-Results: mx.elsewhere.test; dmarc=pass header.from=example.org",),
        # A pass for another domain than the From address's.
        (f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=attacker.test",),
        # SPF alone, or SPF and DKIM for a domain not aligned with From.
        (f"Authentication-Results: {OUR_SERVER}; spf=pass smtp.mailfrom=x@example.org",),
        (
            f"Authentication-Results: {OUR_SERVER}; spf=pass smtp.mailfrom=a@attacker.test; "
            "dkim=pass header.d=attacker.test",
        ),
    ],
)
def test_forged_or_foreign_authentication_results_do_not_count(
    org: Org, mailbox: Mailbox, assigned: Ticket, headers: tuple[str, ...]
) -> None:
    row = receive(mailbox, as_the_agent(assigned, *headers))
    assert row.state == InboundState.QUARANTINED, row.reason
    assert nothing_posted(assigned)


def test_without_a_configured_authserv_id_staff_mail_is_always_held(
    org: Org, desk_mailbox: Mailbox, assigned: Ticket
) -> None:
    header = f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=example.org"
    assert receive(desk_mailbox, as_the_agent(assigned, header)).state == "quarantined"


@pytest.mark.parametrize(
    "header",
    [
        f"Authentication-Results: {OUR_SERVER}; dmarc=pass (p=reject) header.from=example.org",
        f"Authentication-Results: {OUR_SERVER} 1; spf=pass smtp.mailfrom=desk@mail.example.org;"
        " dkim=pass header.d=example.org",
    ],
)
def test_an_authenticated_agent_reply_is_posted(
    org: Org, mailbox: Mailbox, assigned: Ticket, header: str
) -> None:
    row = receive(mailbox, as_the_agent(assigned, header))
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.comment is not None and row.comment.author == org.desk
    assert OutboundEmail.objects.get(kind=NotificationKind.REPLY).to_address == org.employee.email


def filed_by_the_agent_and_resolved(org: Org) -> Ticket:
    """The agent filed it for Emma, so they speak for it as its filer."""
    ticket = ticket_create(
        actor=org.desk, requester=org.employee, kind=TicketKind.INCIDENT, short_description="Fax"
    )
    return ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Fixed"
    )


@pytest.mark.parametrize(("trusted", "state"), [(False, "resolved"), (True, "in_progress")])
def test_a_staff_reply_changes_state_only_through_a_trusted_mailbox(
    org: Org, mailbox: Mailbox, trusted: bool, state: str
) -> None:
    mailbox.trusted = trusted
    mailbox.save()
    ticket = filed_by_the_agent_and_resolved(org)
    header = f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=example.org"
    row = receive(mailbox, as_the_agent(ticket, header))
    assert row.state == InboundState.PROCESSED and row.comment is not None
    ticket.refresh_from_db()
    assert ticket.state == state


def test_the_topmost_header_of_our_server_is_the_one_read() -> None:
    ours_then_forged = (
        f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=example.org\r\n"
        f"Authentication-Results: {OUR_SERVER}; dmarc=fail header.from=example.org\r\n"
        "From: desk@example.org\r\nSubject: x\r\n\r\nbody\r\n"
    ).encode()
    parsed = parse(ours_then_forged, max_header_bytes=65_536)
    assert sender_authenticated(parsed, OUR_SERVER)
    assert sender_authenticated(parsed, "MX.Example.org")
    assert not sender_authenticated(parsed, "")
