"""What the desk keeps and says about mail it could not fully take: the original message for
the agents who may read the ticket, refused files on the ticket, and a word to the sender."""

from __future__ import annotations

from django.test import Client

from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import receive
from servicedesk.mail.models import Mailbox
from servicedesk.mail.tests.conftest import FIXTURES, eml
from servicedesk.notifications.models import OutboundEmail

CORPUS = FIXTURES / "corpus"


def original_url(number: str, pk: int) -> str:
    return f"/workspace/tickets/{number}/mail/{pk}/original.eml"


def test_agents_who_may_read_the_ticket_open_the_original_message(
    org: Org, desk_mailbox: Mailbox, client: Client
) -> None:
    raw = (CORPUS / "quirk-tnef-winmail.eml").read_bytes()
    row = receive(desk_mailbox, raw)
    assert row.ticket is not None
    number = row.ticket.number
    client.force_login(org.desk)
    page = client.get(f"/workspace/tickets/{number}/").content.decode()
    assert original_url(number, row.pk) in page and "Figures attached (Outlook)" in page
    download = client.get(original_url(number, row.pk))
    assert download.status_code == 200 and download.content == raw
    assert download["Content-Type"] == "message/rfc822"
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_original_is_refused_to_everyone_else(
    org: Org, desk_mailbox: Mailbox, client: Client
) -> None:
    row = receive(desk_mailbox, eml("new_ticket.eml"))
    other = receive(desk_mailbox, (CORPUS / "quirk-uuencode.eml").read_bytes())
    assert row.ticket is not None and other.ticket is not None
    # An agent whose only group serves another agency does not know the ticket.
    org.network_group.agencies.add(org.other_agency)
    for person in (org.employee, org.network):
        client.force_login(person)
        assert client.get(original_url(row.ticket.number, row.pk)).status_code == 404
    client.force_login(org.desk)
    # A mail of another ticket is not reached through this ticket's number.
    assert client.get(original_url(row.ticket.number, other.pk)).status_code == 404
    client.logout()
    assert client.get(original_url(row.ticket.number, row.pk)).status_code in (302, 404)


def test_a_refused_file_is_noted_on_the_ticket_and_the_sender_told(
    org: Org, desk_mailbox: Mailbox
) -> None:
    row = receive(desk_mailbox, (CORPUS / "quirk-refused-attachment.eml").read_bytes())
    assert row.state == InboundState.PROCESSED and row.ticket is not None
    assert "plotter-setup.exe was not attached" in row.ticket.description
    assert not row.ticket.attachments.exists()
    told = OutboundEmail.objects.get(event="mail_attachment_refused")
    assert told.to_address == "employee@example.org"
    assert ".exe files can run programs" in told.body_text


def test_a_refused_message_tells_its_sender_why_once(org: Org, desk_mailbox: Mailbox) -> None:
    huge = b"From: Emma <employee@example.org>\r\nMessage-ID: <huge-1@example.org>\r\n"
    huge += b"X-Filler: " + b"a" * 70_000 + b"\r\nSubject: big\r\n\r\nhello\r\n"
    row = receive(desk_mailbox, huge)
    assert row.state == InboundState.FAILED and "headers are" in row.reason
    assert "(sender told)" in row.reason
    told = OutboundEmail.objects.get(event="mail_refused")
    assert told.to_address == "employee@example.org"
    assert "headers are" in told.body_text and "could not be accepted" in told.subject
    assert told.headers["In-Reply-To"] == "<huge-1@example.org>"
    assert told.headers["Auto-Submitted"] == "auto-generated"
    assert receive(desk_mailbox, huge).pk == row.pk  # the same message again: no second mail
    assert OutboundEmail.objects.filter(event="mail_refused").count() == 1


def test_a_refused_robot_message_is_not_answered(org: Org, desk_mailbox: Mailbox) -> None:
    huge = b"From: robot@example.net\r\nAuto-Submitted: auto-replied\r\n"
    huge += b"X-Filler: " + b"a" * 70_000 + b"\r\n\r\nhello\r\n"
    row = receive(desk_mailbox, huge)
    assert row.state == InboundState.FAILED and "sender told" not in row.reason
    assert not OutboundEmail.objects.filter(event="mail_refused").exists()
    nobody = receive(desk_mailbox, eml("no_sender.eml"))
    assert nobody.state == InboundState.FAILED and "sender told" not in nobody.reason


def test_the_mail_log_lets_an_administrator_download_a_refused_original(
    org: Org, desk_mailbox: Mailbox, client: Client
) -> None:
    raw = eml("no_sender.eml")
    row = receive(desk_mailbox, raw)
    assert row.state == InboundState.FAILED
    url = f"/admin/mail/inboundmessage/{row.pk}/original.eml"
    client.force_login(org.desk)  # an agent, not an administrator
    assert client.get(url).status_code != 200
    client.force_login(Person.objects.create(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/mail/inboundmessage/{row.pk}/change/").content.decode()
    assert url in page and "no usable sender address" in page
    download = client.get(url)
    assert download.status_code == 200 and download.content == raw
    assert download["Content-Disposition"].startswith("attachment;")
