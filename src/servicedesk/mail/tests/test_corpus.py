"""The mail corpus through the real receivers: aiosmtpd over SMTP, and Dovecot over IMAP.

Messages from other projects' test suites and ones we wrote for each quirk real clients send
(`tests/fixtures/mail/corpus/README.md`). None may be refused that a lenient reader can read,
none may crash the receiver, none may be lost; every ticket's subject, text and files are
checked. Runs on SQLite and, with DATABASE_URL, on PostgreSQL (NUL characters included).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState
from servicedesk.mail.fetching import fetch_mailbox
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import DeskController, DeskHandler
from servicedesk.mail.tests.conftest import FIXTURES, Dovecot
from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.tests.smtp_server import free_port

CORPUS = FIXTURES / "corpus"
DEEP = 500


@dataclass(frozen=True)
class Expected:
    subject: str
    text: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()  # text that must not show (garbling, markup, NULs)
    state: str = InboundState.PROCESSED
    extra: dict[str, str] = field(default_factory=dict)


EXPECTED: dict[str, Expected] = {
    "python-msg_02.eml": Expected(
        "Ppp digest, Vol 1 #2 - 5 msgs",
        ("Today's Topics:", "Subject: [Ppp] testing #5", "hello"),
        (
            "Ppp testing 1.eml",
            "forwarded message.eml",
            "Ppp testing 3.eml",
            "Ppp testing 4.eml",
            "Ppp testing 5.eml",
        ),
    ),
    "python-msg_10.eml": Expected(
        "Lyrics",
        ("This is a 7bit encoded message.", "¡This is a Quoted Printable encoded message!"),
    ),
    "python-msg_15.eml": Expected("XX", ("Some removed test.",), absent=("<HTML>",)),
    "python-msg_35.eml": Expected(
        "here's something interesting", ("there's no separating newline here",)
    ),
    "python-msg_44.eml": Expected("a simple multipart", (), ("msg.txt", "msg.txt")),
    "python-msg_47.eml": Expected("VIARGA|CIALIS|LEVITRA", ("PHARRMACY ON1INE",)),
    "php-mailparse-oeuue.eml": Expected(
        "attch & OE",
        ("Hello!\nSubj.",),
        ("README1.dat", "README2.dat", "README3.dat"),
        absent=("begin 644",),
    ),
    "php-mailparse-rfc2231.eml": Expected("mime attach", ("This is not the Body",)),
    "quirk-unquoted-boundary.eml": Expected(
        "Scanner on floor 2 offline",
        ('The scanner on floor 2 says "offline" since this morning.',),
        absent=("NextPart", "<p>"),
    ),
    "quirk-charset-iso-8859-8-i.eml": Expected("", ("המדפסת תקועה",)),
    "quirk-charset-windows-874.eml": Expected("Thai keyboard layout", ("แป้นพิมพ์ภาษาไทยหายไป",)),
    "quirk-charset-x-mac-roman.eml": Expected(
        "Mac cannot print", ("The café Mac says “no printer” — naïve question?",)
    ),
    "quirk-charset-unknown-label.eml": Expected(
        "Strange label", ("Grüße aus der Zentrale: der Drucker läuft nicht",)
    ),
    "quirk-cp1252-labelled-latin1.eml": Expected(
        "Invoice € 120", ("The licence costs €120 – “per seat”, isn’t that too much?",)
    ),
    "quirk-bad-byte-in-utf8.eml": Expected(
        "One bad byte", ("Zürich office: the café printer is broken. Grüße, Jörg",)
    ),
    "quirk-raw-8bit-headers.eml": Expected(
        "Café Wi-Fi: mot de passe oublié",
        ("Le mot de passe du Wi-Fi du café ne marche plus.",),
        ("Übersicht.pdf",),
    ),
    "quirk-empty-multipart.eml": Expected(
        "Empty multipart from a phone", ("(The e-mail had no text.)",)
    ),
    "quirk-long-lines.eml": Expected(
        "Log excerpt with a long line", ("ERROR " + "x" * 4096 + " END", "Thanks")
    ),
    "quirk-empty-plain-beside-html.eml": Expected(
        "VPN drops every hour", ("The VPN drops every hour.", "Since Monday."), absent=("<b>",)
    ),
    "quirk-html-only-links.eml": Expected(
        "Form does not submit",
        ("The leave form (https://forms.example.org/leave?id=42) does not submit.",),
    ),
    "quirk-inline-cid-image.eml": Expected(
        "Error dialog", ("This dialog appears:",), ("inline-dialog123.png",)
    ),
    "quirk-forwarded-rfc822.eml": Expected(
        "Fwd: Your account will expire",
        (
            "Is this mail genuine?",
            "From: IT Support <support@phish.example>",
            "Click here to keep your mailbox: http://phish.example/login",
        ),
        ("Your account will expire.eml",),
    ),
    "quirk-uuencode.eml": Expected(
        "Locked accounts list",
        ("Here is the list of locked accounts.", "Regards"),
        ("accounts.csv",),
        absent=("begin 644",),
    ),
    "quirk-tnef-winmail.eml": Expected(
        "Figures attached (Outlook)",
        ("The figures are in the attachment.",),
        ("report.txt",),
        absent=("winmail",),
    ),
    "quirk-nul-characters.eml": Expected(
        "NUL in subjecthere", ("A NUL in the body.",), ("logfile.txt",), absent=("\x00",)
    ),
    "quirk-refused-attachment.eml": Expected(
        "Installer for the plotter",
        ("Please install the plotter driver attached.", "plotter-setup.exe was not attached"),
    ),
    "quirk-no-sender.eml": Expected("Who am I", state=InboundState.FAILED),
}


def deep_message(depth: int = DEEP) -> bytes:
    """A message whose text sits `depth` multiparts deep (mail loops and broken gateways)."""
    head = b"From: employee@example.org\r\nSubject: Nested 500 deep\r\n"
    head += b"Message-ID: <deep@example.org>\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level, level + 1)
        for level in range(depth)
    )
    inner = b"--b%d\r\nContent-Type: text/plain\r\n\r\nfound at the bottom\r\n--b%d--\r\n" % (
        depth,
        depth,
    )
    closing = b"".join(b"--b%d--\r\n" % level for level in reversed(range(depth)))
    return head + opening + inner + closing


def corpus() -> list[tuple[str, bytes]]:
    messages = [(name, (CORPUS / name).read_bytes()) for name in sorted(EXPECTED)]
    return [*messages, ("deep", deep_message())]


def _check(name: str, row: InboundMessage, *, via_imap: bool = False) -> None:
    if name == "deep":
        assert row.state == InboundState.PROCESSED, row.reason
        assert row.ticket is not None and "found at the bottom" in row.ticket.description
        return
    expected = EXPECTED[name]
    if via_imap and name == "quirk-nul-characters.eml":
        # Dovecot itself stores a NUL in a body as the byte 0x80 (windows-1252's €): what
        # reaches us over IMAP has no NUL left in the text to remove.
        expected = Expected(expected.subject, ("A NUL€ in the body.",), expected.files)
    assert row.state == expected.state, f"{name}: {row.reason}"
    if expected.state != InboundState.PROCESSED:
        assert row.reason, name
        return
    ticket = row.ticket
    assert ticket is not None, name
    if expected.subject:
        assert ticket.short_description == expected.subject, name
    for text in expected.text:
        assert text in ticket.description, f"{name}: {text!r} not in {ticket.description!r}"
    for text in expected.absent:
        assert text not in ticket.description + ticket.short_description, f"{name}: {text!r}"
    files = sorted(ticket.attachments.values_list("original_name", flat=True))
    assert files == sorted(expected.files), name


@pytest.fixture
def open_desk(settings: Any) -> None:
    # Senders from other projects' suites are not in our directory; the desk takes them in.
    settings.SERVICEDESK_MAIL_UNKNOWN_SENDER = "create"
    settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP = 1000


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[int]:
    port = free_port()
    controller = DeskController(DeskHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_the_corpus_through_the_smtp_receiver(
    org: Org, desk_mailbox: Mailbox, open_desk: None, receiver: int
) -> None:
    messages = corpus()
    with smtplib.SMTP("127.0.0.1", receiver) as client:
        for _, raw in messages:
            assert client.sendmail("sender@example.net", ["desk@example.org"], raw) == {}
    rows = list(InboundMessage.objects.order_by("pk"))
    assert len(rows) == len(messages)  # none lost
    for (name, _), row in zip(messages, rows, strict=True):
        _check(name, row)
    # Whose files were refused, and whose message could not be read, were told why.
    refused_file = OutboundEmail.objects.filter(event="mail_attachment_refused").get()
    assert "plotter-setup.exe was not attached" in refused_file.body_text


def test_the_corpus_fetched_from_dovecot(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot, open_desk: None
) -> None:
    messages = corpus()
    for _, raw in messages:
        dovecot.deliver(raw)
    report = fetch_mailbox(imap_mailbox)
    assert report.fetched == len(messages) and dovecot.unseen_on_disk() == 0
    # Delivered in order, fetched in UID order: the n-th row is the n-th message.
    rows = list(InboundMessage.objects.order_by("pk"))
    assert len(rows) == len(messages)
    for (name, _), row in zip(messages, rows, strict=True):
        _check(name, row, via_imap=True)
