"""The last resort: a message the desk cannot take is kept as failed, with the reason in the
mail log (the admin's Inbound messages), and its sender is told why, by one automatic mail.

Never to a robot: mail that says it is automatic, list mail, bounces and our own mail coming back
get no answer (answering is what turns two robots into a loop). The headers are read leniently
on their own, since the message as a whole could not be read.
"""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.template.loader import render_to_string
from django.utils.translation import gettext

from servicedesk.mail.models import InboundMessage
from servicedesk.notifications.message_ids import is_our_message_id
from servicedesk.notifications.services import mail_address

_ROBOT_HEADERS = ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond", "X-Auto-Reply")
_ROBOT_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply"})


def _robot(headers: Message) -> bool:
    auto_submitted = str(headers.get("Auto-Submitted", "") or "").strip().lower()
    precedence = str(headers.get("Precedence", "") or "").strip().lower()
    return (
        (auto_submitted not in ("", "no"))
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or any(headers.get(name) for name in _ROBOT_HEADERS)
        or str(headers.get("Return-Path", "") or "").strip() == "<>"
        or headers.get_content_type() == "multipart/report"
        or is_our_message_id(str(headers.get("Message-ID", "") or "").strip())
    )


def sender_to_tell(raw: bytes) -> tuple[str, str] | None:
    """(address, Message-ID) of a person who sent this message, or None: no one to tell."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        if _robot(headers):
            return None
        pairs = getaddresses([str(value) for value in headers.get_all("From") or []])
    except Exception:
        return None
    for _, address in pairs:
        address = address.strip().lower()
        local, at, domain = address.partition("@")
        if at and local and "." in domain and local not in _ROBOT_LOCAL_PARTS:
            return address[:254], " ".join(str(headers.get("Message-ID", "") or "").split())
    return None


def tell_sender_refused(row: InboundMessage, raw: bytes, reason: str) -> bool:
    """Queue the "could not accept your message" mail; False when there is no one to tell."""
    found = sender_to_tell(raw)
    if found is None:
        return False
    address, message_id = found
    context = {"reason": reason, "desk": row.mailbox.address, "message_id": message_id}
    return mail_address(
        address,
        subject=gettext("Your message to %(desk)s could not be accepted") % context,
        text=render_to_string("mail/refused_message.txt", context).strip(),
        event="mail_refused",
        event_key=f"mail-refused:{row.pk}",
        in_reply_to=message_id,
    )
