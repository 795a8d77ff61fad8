"""Mail that no person wrote: auto-replies, bounces, mailing lists, and our own mail coming back.

Such mail is stored as ignored: it never becomes a ticket or a comment, never reopens anything,
and so is never answered (answering is what turns two robots into a loop).
"""

from __future__ import annotations

from servicedesk.mail.parsing import ParsedMessage
from servicedesk.notifications.message_ids import is_our_message_id

_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")
_ROBOT_SENDERS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply"})
_REPORT_TYPES = frozenset(
    {"multipart/report", "message/delivery-status", "message/disposition-notification"}
)


def automatic_reason(parsed: ParsedMessage) -> str | None:
    """Why this message is automatic, or None when a person (probably) wrote it."""
    if parsed.message_id and is_our_message_id(parsed.message_id):
        return "our own mail came back"
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted} (RFC 3834)"
    for name in _AUTOREPLY_HEADERS:
        if parsed.header(name):
            return f"{name} header: an auto-reply"
    precedence = parsed.header("Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _LIST_HEADERS:
        if parsed.header(name):
            return f"{name} header: mailing-list mail"
    content_type = parsed.message.get_content_type()
    if content_type in _REPORT_TYPES:
        return f"{content_type}: a delivery or read report"
    if parsed.from_address.split("@", 1)[0] in _ROBOT_SENDERS:
        return f"sent by {parsed.from_address}"
    if parsed.header("Return-Path") == "<>":
        return "empty Return-Path: a bounce"
    return None
