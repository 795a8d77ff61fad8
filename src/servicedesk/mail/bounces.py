"""Bounces of our own mail: which of our mails failed, to which address, and why.

A delivery report (RFC 3464: multipart/report with a message/delivery-status part) names the
failed recipients and carries the original (or its headers). A bounce counts only when it is
tied to a mail we really sent: the original's Message-ID is one of ours and our outbox holds that
mail to that address. Anyone can write a delivery report, and an untied one could otherwise
block mail to any address; untied bounces are only ignored.

A tied bounce marks the address undeliverable (no more mail to it until someone clears the
mark), records the mail as failed, and tells the ticket's agents with an internal note.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses

from django.template.loader import render_to_string

from servicedesk.directory.services import system_actor
from servicedesk.mail.parsing import ParsedMessage, normalise_message_id
from servicedesk.notifications.bounces import address_mark_undeliverable
from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.selectors import outbound_with_message_id
from servicedesk.tickets.choices import Channel
from servicedesk.tickets.services import comment_add

_ROBOT_SENDERS = ("mailer-daemon@", "postmaster@")


@dataclass(frozen=True)
class FailedRecipient:
    address: str
    status: str
    diagnostic: str


def _field(block: Message, name: str) -> str:
    value = str(block.get(name, "") or "")
    return " ".join(value.split())[:500]


def _failed_recipients(report: Message) -> list[FailedRecipient]:
    payload = report.get_payload()
    blocks = payload if isinstance(payload, list) else []
    failed = []
    for block in blocks[1:]:  # the first block is about the message, the rest per recipient
        if not isinstance(block, Message) or _field(block, "Action").lower() != "failed":
            continue
        recipient = _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
        address = recipient.partition(";")[2].strip() or recipient
        if "@" in address:
            failed.append(
                FailedRecipient(
                    address.strip("<> ").lower(),
                    _field(block, "Status"),
                    _field(block, "Diagnostic-Code").partition(";")[2].strip(),
                )
            )
    return failed


def _original_headers(message: Message) -> Message | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
        if content_type == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                return HeaderParser().parsestr(text.decode("utf-8", "replace"))
    return None


def _is_report(parsed: ParsedMessage) -> bool:
    return any(
        part.get_content_type() == "message/delivery-status" for part in parsed.message.walk()
    )


def _looks_like_bounce(parsed: ParsedMessage) -> bool:
    return _is_report(parsed) or parsed.from_address.startswith(_ROBOT_SENDERS)


def _failures(parsed: ParsedMessage, original: Message) -> list[FailedRecipient]:
    for part in parsed.message.walk():
        if part.get_content_type() == "message/delivery-status":
            return _failed_recipients(part)
    # A plain-text bounce from a mail daemon: the original's recipients are the failed ones.
    to = [str(value) for value in original.get_all("To") or []]
    return [
        FailedRecipient(address.strip().lower(), "", parsed.subject[:200])
        for _, address in getaddresses(to)
        if "@" in address
    ]


@dataclass(frozen=True)
class BounceOutcome:
    tied: list[tuple[FailedRecipient, OutboundEmail]]
    reason: str


def handle_bounce(parsed: ParsedMessage) -> BounceOutcome | None:
    """None if this is no bounce; otherwise what it was tied to (perhaps nothing)."""
    if not _looks_like_bounce(parsed):
        return None
    original = _original_headers(parsed.message)
    if original is None:
        return BounceOutcome([], "a bounce without the original: not tied to any mail of ours")
    message_id = normalise_message_id(str(original.get("Message-ID", "") or ""))
    tied = []
    for failure in _failures(parsed, original):
        outbound = outbound_with_message_id(message_id, failure.address) if message_id else None
        if outbound is not None:
            tied.append((failure, outbound))
    if not tied:
        return BounceOutcome([], "a bounce not tied to any mail of ours: ignored")
    for failure, outbound in tied:
        _mark(failure, outbound)
    addresses = ", ".join(failure.address for failure, _ in tied)
    return BounceOutcome(tied, f"bounce: {addresses} marked undeliverable")


def _mark(failure: FailedRecipient, outbound: OutboundEmail) -> None:
    said = " ".join(filter(None, [failure.status, failure.diagnostic])) or "bounced"
    address_mark_undeliverable(failure.address, reason=said, outbound=outbound)
    if outbound.ticket is None:
        return
    note = render_to_string(
        "mail/bounce_note.txt",
        {"address": failure.address, "status": failure.status, "diagnostic": failure.diagnostic},
    ).strip()
    comment_add(
        outbound.ticket, actor=system_actor(), body=note, internal=True, channel=Channel.EMAIL
    )
