"""Raw bytes → the parts of a message we act on, or `MalformedMessageError` with a reason.

The stdlib parser (policy.default) is lenient: it records defects rather than raising. We refuse
what we cannot read faithfully (a multipart with no boundaries, a charset nobody knows, headers
larger than any real mail has) and fall back gently where mail clients are merely sloppy (8-bit
text labelled us-ascii, windows-1252 labelled latin-1, "unknown-8bit").
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

import nh3

FATAL_DEFECTS = (
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.NoBoundaryInMultipartDefect,
)
# Labels seen in the wild that name no real charset: decode with the fallbacks instead.
_GUESS_CHARSETS = frozenset({"unknown-8bit", "x-unknown", "unknown", "x-user-defined"})
_FALLBACKS = ("utf-8", "cp1252")
_HTML_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>|</h\d\s*>")
MESSAGE_ID_MAX = 255


class MalformedMessageError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMessage:
    message: EmailMessage
    message_id: str
    from_address: str
    from_name: str
    subject: str
    in_reply_to: str
    references: str
    text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)

    def header(self, name: str) -> str:
        return str(self.message.get(name, "") or "").strip()


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def normalise_message_id(value: str) -> str:
    value = " ".join(value.split())
    return value[:MESSAGE_ID_MAX]


def message_id_of(raw: bytes) -> str:
    """The Message-ID, read leniently from the headers alone: even a message we will later find
    malformed is stored once, not again on every fetch."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        value = headers.get("Message-ID", "")
    except Exception:
        return ""
    return normalise_message_id(str(value or ""))


def header_block_size(raw: bytes) -> int:
    ends = [index for index in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if index >= 0]
    return min(ends) if ends else len(raw)


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = (part.get_content_charset() or "us-ascii").lower()
    candidates: tuple[str, ...] = _FALLBACKS
    if charset not in _GUESS_CHARSETS:
        try:
            codecs.lookup(charset)
        except LookupError as unknown:
            raise MalformedMessageError(f"unknown charset {charset!r}") from unknown
        candidates = (charset, *_FALLBACKS)
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a latin-1 character: never fails


def html_to_text(markup: str) -> str:
    with_breaks = _HTML_BREAKS.sub("\n", markup)
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _check_defects(message: Message) -> None:
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, FATAL_DEFECTS):
                raise MalformedMessageError(f"broken MIME structure: {type(defect).__name__}")


def _sender(message: EmailMessage) -> tuple[str, str]:
    raw_from = str(message.get("From", "") or "")
    pairs = [(name, address) for name, address in getaddresses([raw_from]) if "@" in address]
    if not pairs:
        raise MalformedMessageError(f"no usable sender address in From: {raw_from[:200]!r}")
    name, address = pairs[0]
    return address.strip().lower()[:254], name.strip()


def _body_and_attachments(message: EmailMessage) -> tuple[str, list[ParsedAttachment]]:
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        decoded = _decode(body)
        text = html_to_text(decoded) if body.get_content_type() == "text/html" else decoded
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue  # an alternative rendering of the body, not a file
        payload = part.get_payload(decode=True)
        attachments.append(
            ParsedAttachment(
                name=str(name or "attachment"),
                content_type=part.get_content_type(),
                content=payload if isinstance(payload, bytes) else b"",
            )
        )
    return text.replace("\r\n", "\n"), attachments


def parse(raw: bytes, *, max_header_bytes: int) -> ParsedMessage:
    headers_size = header_block_size(raw)
    if headers_size > max_header_bytes:
        raise MalformedMessageError(
            f"headers are {headers_size} bytes; at most {max_header_bytes} are accepted"
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        _check_defects(message)
        from_address, from_name = _sender(message)
        text, attachments = _body_and_attachments(message)
        subject = " ".join(str(message.get("Subject", "") or "").split())
        return ParsedMessage(
            message=message,
            message_id=normalise_message_id(str(message.get("Message-ID", "") or "")),
            from_address=from_address,
            from_name=from_name,
            subject=subject,
            in_reply_to=str(message.get("In-Reply-To", "") or ""),
            references=str(message.get("References", "") or ""),
            text=text,
            attachments=attachments,
        )
    except MalformedMessageError:
        raise
    except Exception as error:  # the parser's own surprises: keep the mail, say why
        reason = f"unreadable message: {type(error).__name__}: {error}"
        raise MalformedMessageError(reason) from error
