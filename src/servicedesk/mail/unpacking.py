"""A message's parts → its text and its files, with nothing dropped on the way.

The tree is walked with a list as the stack, never by recursion: 500 nested multiparts are as
easy as two. What each part becomes:
- multipart/alternative: one rendering is read, the plain text unless it is blank, else the
  HTML; the others give only their files (the HTML's inline images);
- message/rfc822 (a forwarded mail): its text follows, under its From/Date/Subject, and the
  original is kept as a .eml file;
- inline text/plain and text/html: text (a uuencoded file inside plain text is cut out and kept);
- application/ms-tnef (winmail.dat): unpacked into its files and, if need be, its text;
- anything else, named or not (an inline image with only a Content-ID too): a file.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32

from tnefparse import TNEF  # type: ignore[import-untyped]  # the library ships no types

from servicedesk.core.text import postgres_safe
from servicedesk.mail.decoding import decode_raw_header, decode_text, html_to_text

_UUENCODED = re.compile(
    r"^begin(?:-base64)? [0-7]{3,4} (?P<name>[^\r\n]+)\r?\n(?P<body>.*?)^end\s*$",
    re.MULTILINE | re.DOTALL,
)
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_FORWARD_HEADERS = ("From", "Date", "Subject", "To")


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes


@dataclass
class Unpacked:
    texts: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)

    def add_file(self, name: str, content_type: str, content: bytes) -> None:
        self.attachments.append(ParsedAttachment(postgres_safe(name), content_type, content))

    @property
    def text(self) -> str:
        return "\n\n".join(text for text in self.texts if text.strip()).replace("\r\n", "\n")


def payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def part_text(part: Message, content_type: str | None = None) -> str:
    text = decode_text(payload_bytes(part), part.get_content_charset())
    is_html = (content_type or part.get_content_type()) == "text/html"
    return html_to_text(text) if is_html else text


def header_text(part: Message, name: str) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8 (or cp1252)."""
    for key, raw in part.raw_items():
        if key.lower() == name.lower():
            if not isinstance(raw, str):
                return postgres_safe(str(raw))
            return postgres_safe(_header_value(name, decode_raw_header(raw)))
    return ""


def _header_value(name: str, value: str) -> str:
    try:
        return str(policy.default.header_factory(name, value))
    except Exception:  # a header the structured parser chokes on: its encoded words, plainly
        try:
            return str(make_header(decode_header(value)))
        except Exception:
            return " ".join(value.split())


def filename_of(part: Message) -> str:
    name = part.get_filename()
    if name and "\ufffd" in name:  # raw 8-bit bytes in the header: read them properly
        raw = decode_raw_header(_raw(part, "Content-Disposition"))
        try:
            header = policy.default.header_factory("Content-Disposition", raw)
            name = getattr(header, "params", {}).get("filename") or name
        except Exception:
            pass  # keep the name as the parser read it
    return postgres_safe(str(name or "")).strip()


def _raw(part: Message, name: str) -> str:
    for key, raw in part.raw_items():
        if key.lower() == name.lower():
            return str(raw)
    return ""


def _unnamed(part: Message, index: int) -> str:
    content_id = str(part.get("Content-ID", "") or "").strip().strip("<>").split("@")[0]
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    stem = re.sub(r"[^\w.-]+", "-", content_id)[:60] if content_id else f"part-{index}"
    return f"{'inline-' if content_id else ''}{stem}{extension}"


def _blank(part: Message) -> bool:
    return part.get_content_type().startswith("text/") and not part_text(part).strip()


def _alternative(children: list[Message]) -> Message | None:
    """The rendering to read: the last plain text that says something, else the richest."""
    for wanted in ("text/plain", "text/html"):
        for child in reversed(children):
            if child.get_content_type() == wanted and not _blank(child):
                return child
    non_text = [child for child in children if child.is_multipart()]
    return non_text[-1] if non_text else (children[-1] if children else None)


def _uudecode(block: str) -> bytes:
    data = bytearray()
    for line in block.splitlines():
        if not line or line in ("`", " "):
            continue
        try:
            data += binascii.a2b_uu(line)
        except binascii.Error:  # padding some encoders leave off: decode what the length says
            length = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
            data += binascii.a2b_uu(line[:length])
    return bytes(data)


def _plain_text(text: str, unpacked: Unpacked) -> str:
    """Plain text with each uuencoded file cut out and kept as a file."""

    def keep(match: re.Match[str]) -> str:
        name = match.group("name").strip()
        try:
            content = _uudecode(match.group("body"))
        except (binascii.Error, IndexError):
            return match.group(0)  # not really uuencoded: leave the text as it was
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        unpacked.add_file(name, content_type, content)
        return ""

    return _UUENCODED.sub(keep, text) if "begin " in text else text


def _tnef(part: Message, unpacked: Unpacked) -> bool:
    """Unpack winmail.dat; False when it is no TNEF we can read (then it is kept as a file)."""
    try:
        tnef = TNEF(payload_bytes(part))
    except Exception:
        return False
    for index, item in enumerate(tnef.attachments):
        name = item.long_filename() or item.name or f"winmail-{index}.bin"
        if isinstance(name, bytes):
            name = name.decode("utf-8", errors="replace")
        content_type = mimetypes.guess_type(str(name))[0] or "application/octet-stream"
        unpacked.add_file(str(name), content_type, bytes(item.data or b""))
    for body, is_html in ((tnef.body, False), (tnef.htmlbody, True)):
        if body:
            text = body if isinstance(body, str) else decode_text(bytes(body), None)
            unpacked.texts.append(html_to_text(text) if is_html else text)
            break
    return True


def _forwarded(part: Message, unpacked: Unpacked) -> Message | None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    summary = [f"{name}: {header_text(inner, name)}" for name in _FORWARD_HEADERS]
    unpacked.texts.append("---------- Forwarded message ----------\n" + "\n".join(summary))
    subject = header_text(inner, "Subject") or "forwarded message"
    name = re.sub(r"[^\w .,-]+", "", subject)[:80].strip() or "forwarded message"
    try:
        original = inner.as_bytes(policy=compat32)
    except Exception:
        original = str(inner).encode("utf-8", errors="surrogateescape")
    unpacked.add_file(f"{name}.eml", "message/rfc822", original)
    return inner


def _leaf(
    part: Message, content_type: str, index: int, unpacked: Unpacked, *, files_only: bool
) -> None:
    # The stdlib parses a header again on every read: each is read once here.
    name = filename_of(part)
    if content_type.startswith("multipart/"):  # no parts could be found: its body is the text
        if not files_only:
            unpacked.texts.append(decode_text(payload_bytes(part), part.get_content_charset()))
        return
    is_text = content_type in ("text/plain", "text/html")
    if is_text and not name and part.get_content_disposition() != "attachment":
        if not files_only:
            text = part_text(part, content_type)
            plain = content_type == "text/plain"
            unpacked.texts.append(_plain_text(text, unpacked) if plain else text)
        return
    if (content_type in _TNEF_TYPES or name.lower() == "winmail.dat") and _tnef(part, unpacked):
        return
    unpacked.add_file(name or _unnamed(part, index), content_type, payload_bytes(part))


def _alternatives(children: list[Message]) -> list[tuple[Message, bool]]:
    """(child, files only?) of a multipart/alternative: the chosen rendering is read; the
    others give only their files (the HTML rendering's inline images, an invitation's
    text/calendar), never their text a second time."""
    chosen = _alternative(children)
    return [(child, child is not chosen) for child in children]


def unpack(message: Message) -> Unpacked:
    unpacked = Unpacked()
    # (part, files only?): a part inside an alternative rendering that is not read as text.
    stack: list[tuple[Message, bool]] = [(message, False)]
    index = 0
    while stack:
        part, files_only = stack.pop()
        index += 1
        content_type = part.get_content_type()
        if content_type == "message/rfc822" and part.is_multipart():
            inner = None if files_only else _forwarded(part, unpacked)
            if inner is not None:
                stack.append((inner, False))
            continue
        if part.is_multipart():
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            if content_type == "multipart/alternative" and not files_only:
                entries = _alternatives(children)
            else:
                entries = [(child, files_only) for child in children]
            stack.extend(reversed(entries))
            continue
        _leaf(part, content_type, index, unpacked, files_only=files_only)
    return unpacked
