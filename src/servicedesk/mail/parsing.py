"""Raw bytes → the parts of a message we act on; refused (`MalformedMessageError`) only as a
last resort, when there is no one to file it for or its headers are beyond any real mail.

Parsing is strict first (the stdlib's `policy.default`), then lenient where real clients are
sloppy: an unquoted `boundary=----=_NextPart…` (Outlook Express, JavaMail) is quoted and the
message read again; a parser surprise falls back to the old `compat32` reading. Charsets,
stray bytes and raw 8-bit headers are `mail.decoding`'s; the parts become text and files in
`mail.unpacking`, which keeps everything (HTML-only mail, inline images, forwarded messages,
uuencode, winmail.dat). Every string leaving here is safe for PostgreSQL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses

from servicedesk.core.text import postgres_safe
from servicedesk.mail.decoding import html_to_text
from servicedesk.mail.unpacking import ParsedAttachment, header_text, unpack

__all__ = ["MalformedMessageError", "ParsedAttachment", "ParsedMessage", "html_to_text", "parse"]

_BROKEN_STRUCTURE = (
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.CloseBoundaryNotFoundDefect,
)
# `boundary=----=_NextPart_000_0012_01D7…` without quotes: the "=" ends the value for a strict
# reader. Only after a ";" so that the words "boundary=" in a body are left alone.
_UNQUOTED_BOUNDARY = re.compile(rb"(?i)(;\s*boundary\s*=\s*)([^\"\s;][^\s;]*)")
MESSAGE_ID_MAX = 255


class MalformedMessageError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedMessage:
    message: Message
    message_id: str
    from_address: str
    from_name: str
    subject: str
    in_reply_to: str
    references: str
    text: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    # What the lenient reading had to do ("quoted an unquoted boundary"), for the mail log.
    repairs: tuple[str, ...] = ()

    def header(self, name: str) -> str:
        return header_text(self.message, name).strip()


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def normalise_message_id(value: str) -> str:
    value = postgres_safe(" ".join(value.split()))
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


def _structure_broken(message: Message) -> bool:
    stack = [message]
    while stack:
        part = stack.pop()
        if any(isinstance(defect, _BROKEN_STRUCTURE) for defect in part.defects):
            return True
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(child for child in payload if isinstance(child, Message))
    return False


def _read(raw: bytes) -> tuple[Message, tuple[str, ...]]:
    """The strict reading if it holds together, else the most lenient one that does."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError:
        # The stdlib parser recurses once per nesting level (about a thousand is too many):
        # the headers are read, and the body kept as text rather than the message refused.
        headers_only = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        return headers_only, ("nested too deep to take apart: body read as text",)
    except Exception:
        return BytesParser(policy=policy.compat32).parsebytes(raw), ("read with compat32",)
    if not _structure_broken(message):
        return message, ()
    quoted = _UNQUOTED_BOUNDARY.sub(rb'\1"\2"', raw)
    if quoted != raw:
        again = BytesParser(policy=policy.default).parsebytes(quoted)
        if not _structure_broken(again):
            return again, ("quoted an unquoted MIME boundary",)
    # No parts to be found: the body is read as text rather than refused (`unpacking._leaf`).
    return message, ("broken MIME structure read as text",)


def _sender(message: Message) -> tuple[str, str]:
    raw_from = header_text(message, "From")
    pairs = [(name, address) for name, address in getaddresses([raw_from]) if "@" in address]
    if not pairs:
        raise MalformedMessageError(f"no usable sender address in From: {raw_from[:200]!r}")
    name, address = pairs[0]
    return address.strip().lower()[:254], name.strip()


def parse(raw: bytes, *, max_header_bytes: int) -> ParsedMessage:
    headers_size = header_block_size(raw)
    if headers_size > max_header_bytes:
        raise MalformedMessageError(
            f"headers are {headers_size} bytes; at most {max_header_bytes} are accepted"
        )
    try:
        message, repairs = _read(raw)
        from_address, from_name = _sender(message)
        content = unpack(message)
        return ParsedMessage(
            message=message,
            message_id=normalise_message_id(header_text(message, "Message-ID")),
            from_address=from_address,
            from_name=from_name,
            subject=" ".join(header_text(message, "Subject").split()),
            in_reply_to=header_text(message, "In-Reply-To"),
            references=header_text(message, "References"),
            text=content.text,
            attachments=content.attachments,
            repairs=repairs,
        )
    except MalformedMessageError:
        raise
    except Exception as error:  # the parser's own surprises: keep the mail, say why
        reason = f"unreadable message: {type(error).__name__}: {error}"
        raise MalformedMessageError(reason) from error
