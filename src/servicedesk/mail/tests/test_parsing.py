"""Parsing, screening and trimming of the .eml fixtures: no database needed."""

from __future__ import annotations

import pytest

from servicedesk.mail.decoding import codec_for, decode_text
from servicedesk.mail.parsing import MalformedMessageError, html_to_text, message_id_of, parse
from servicedesk.mail.screening import automatic_reason
from servicedesk.mail.tests.conftest import FIXTURES
from servicedesk.mail.trimming import trim_reply

LIMIT = 64 * 1024


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_plain_new_mail() -> None:
    parsed = parse(fixture("new_ticket.eml"), max_header_bytes=LIMIT)
    assert parsed.from_address == "employee@example.org"
    assert parsed.from_name == "Emma Employee"
    assert parsed.subject == "Printer on the 3rd floor jams"
    assert parsed.message_id == "<new-ticket-1@mail.example.org>"
    assert "Café staff" in parsed.text
    assert automatic_reason(parsed) is None


def test_mislabelled_and_legacy_charsets_fall_back_gently() -> None:
    parsed = parse(fixture("reply_subject_only.eml"), max_header_bytes=LIMIT)
    assert "worn – can you" in parsed.text  # windows-1252's en dash
    assert parsed.from_address == "employee@example.org"  # lower-cased
    raw = b"From: a@example.org\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nna\xefve\r\n"
    assert "na" in parse(raw, max_header_bytes=LIMIT).text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("out_of_office.eml", "Auto-Submitted: auto-replied"),
        ("bounce_dsn.eml", "Auto-Submitted"),
    ],
)
def test_automatic_mail_is_recognised(name: str, expected: str) -> None:
    reason = automatic_reason(parse(fixture(name), max_header_bytes=LIMIT))
    assert reason is not None and expected in reason


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("X-Autoreply: yes", "auto-reply"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("List-Id: <staff.example.org>", "mailing-list"),
    ],
)
def test_each_robot_signal_counts_on_its_own(header: str, reason: str) -> None:
    raw = f"From: a@example.org\r\n{header}\r\nSubject: x\r\n\r\nbody\r\n".encode()
    found = automatic_reason(parse(raw, max_header_bytes=LIMIT))
    assert found is not None and reason in found


def test_a_dsn_without_robot_headers_is_still_a_report() -> None:
    raw = fixture("bounce_dsn.eml").replace(b"Auto-Submitted: auto-replied\r\n", b"", 1)
    raw = raw.replace(b"MAILER-DAEMON@", b"delivery@", 1)
    found = automatic_reason(parse(raw, max_header_bytes=LIMIT))
    assert found is not None and "multipart/report" in found


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("malformed_mime.eml", "This body claims to be multipart"),
        ("unknown_charset.eml", "nuqneH"),
    ],
)
def test_sloppy_mail_is_read_rather_than_refused(name: str, text: str) -> None:
    assert text in parse(fixture(name), max_header_bytes=LIMIT).text


def test_a_message_without_a_sender_is_refused_with_the_reason() -> None:
    with pytest.raises(MalformedMessageError) as raised:
        parse(fixture("no_sender.eml"), max_header_bytes=LIMIT)
    assert "no usable sender address" in raised.value.reason


def test_huge_headers_are_refused_but_the_message_id_is_still_read() -> None:
    raw = b"Message-ID: <huge@x>\r\nX-Filler: " + b"a" * 70_000 + b"\r\nFrom: a@b.c\r\n\r\nhi"
    with pytest.raises(MalformedMessageError, match="headers are"):
        parse(raw, max_header_bytes=LIMIT)
    assert message_id_of(raw) == "<huge@x>"


def test_attachments_and_the_text_alternative() -> None:
    parsed = parse(fixture("with_attachment.eml"), max_header_bytes=LIMIT)
    assert parsed.text.strip() == "The payroll app shows the error in the screenshot."
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("screenshot.png", "image/png"),
        ("fix.exe", "application/octet-stream"),
    ]
    assert parsed.attachments[0].content.startswith(b"\x89PNG")


def test_html_only_mail_becomes_text() -> None:
    assert html_to_text("<p>One &amp; two</p><p>three<br>four<script>x</script></p>") == (
        "One & two\nthree\nfour"
    )


def test_trimming_removes_quotes_and_signatures() -> None:
    reply = parse(fixture("reply_with_headers.eml"), max_header_bytes=LIMIT).text
    assert trim_reply(reply) == "It jammed again just now, this time with a grinding noise."
    outlook = parse(fixture("reply_subject_only.eml"), max_header_bytes=LIMIT).text
    assert (
        trim_reply(outlook) == "Facilities say the fuser is worn – can you order a new one?\n\nEmma"
    )
    assert trim_reply("Thanks!\n-- \nJo Smith\nPhone 555") == "Thanks!"
    assert trim_reply("Fixed\n\nSent from my iPhone") == "Fixed"
    assert trim_reply("> only a quote") == "> only a quote"  # never trimmed to nothing


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("iso-8859-8-i", "iso8859-8"),
        ("windows-874", "cp874"),
        ("x-mac-roman", "mac-roman"),
        ("ISO-8859-1", "cp1252"),
        ('"utf8"', "utf-8"),
        ("x-klingon-8", None),
        ("unknown-8bit", None),
        ("base64", None),  # a codec, but not a charset: never used to read text
    ],
)
def test_charset_labels_as_mail_clients_write_them(label: str, codec: str | None) -> None:
    assert codec_for(label) == codec


def test_one_bad_byte_costs_one_character_not_the_body() -> None:
    data = "Grüße aus Zürich, ".encode() + b"\xe9t\xe9" + " — Jörg".encode()
    assert decode_text(data, "utf-8") == "Grüße aus Zürich, été — Jörg"
    assert decode_text("naïve €".encode("cp1252"), "us-ascii") == "naïve €"
    assert decode_text("naïve € – “ok”".encode(), "iso-8859-1") == "naïve € – “ok”"  # UTF-8


def test_html_keeps_its_links_and_drops_its_markup() -> None:
    markup = (
        '<head><title>x</title><style>p{}</style></head><p>Open <a href="https://a.example/f?x=1'
        '&amp;y=2">the form</a> or <a href="mailto:desk@example.org">desk@example.org</a>'
        '<script>alert(1)</script> <a href="javascript:alert(1)">here</a></p>'
    )
    assert html_to_text(markup) == (
        "Open the form (https://a.example/f?x=1&y=2) or desk@example.org here"
    )


def test_nesting_deeper_than_the_stdlib_parser_goes_keeps_the_text() -> None:
    from servicedesk.mail.tests.test_corpus import deep_message

    parsed = parse(deep_message(3000), max_header_bytes=LIMIT)
    assert "found at the bottom" in parsed.text
    assert parsed.repairs == ("nested too deep to take apart: body read as text",)


def test_a_broken_uuencode_block_is_left_as_text() -> None:
    raw = b"From: a@example.org\r\n\r\nbegin 644 x.bin\r\n\x7f\x7f\x7f\r\nend\r\n"
    parsed = parse(raw, max_header_bytes=LIMIT)
    assert "begin 644 x.bin" in parsed.text and not parsed.attachments


def test_the_html_renderings_inline_image_is_kept_beside_the_plain_text() -> None:
    raw = (
        b"From: a@example.org\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
        b"--alt\r\nContent-Type: text/plain\r\n\r\nThe dialog says: access denied\r\n"
        b"--alt\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n"
        b"--rel\r\nContent-Type: text/html\r\n\r\n<p>The dialog says: <b>access denied</b></p>"
        b'<img src="cid:shot@x">\r\n'
        b"--rel\r\nContent-Type: image/png\r\nContent-ID: <shot@x>\r\n\r\nPNG\r\n--rel--\r\n"
        b"--alt\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n--alt--\r\n"
    )
    parsed = parse(raw, max_header_bytes=LIMIT)
    assert parsed.text.strip() == "The dialog says: access denied"  # once, not twice
    assert [item.name for item in parsed.attachments] == ["inline-shot.png", "part-6.ics"]
