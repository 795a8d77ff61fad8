"""Our Message-IDs: each names its ticket with a token signed by SECRET_KEY.

`<sd-42-1f0c…e9.root@desk.example>` is the thread root of ticket 42 (the acknowledgement carries
it); every later mail about the ticket has its own id and points at the root with In-Reply-To and
References. A reply that quotes one of these ids can be matched to its ticket without trusting
the subject line, and nobody can forge a token for a ticket they only know the number of.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from servicedesk.tickets.models import Ticket

_SALT = "servicedesk.notifications.thread"
_SIGNATURE_HEX = 20
TOKEN_PATTERN = re.compile(rf"sd-(\d+)-([0-9a-f]{{{_SIGNATURE_HEX}}})")
NUMBER_PATTERN = re.compile(r"\[((?:INC|REQ|PRB|TASK)\d{7})\]", re.IGNORECASE)
# Heads every mail about a ticket; the mail app cuts a reply's quoted text from this line on.
REPLY_MARKER = "-- Reply above this line to add to your ticket --"


def _signature(ticket_pk: int) -> str:
    return salted_hmac(_SALT, str(ticket_pk), algorithm="sha256").hexdigest()[:_SIGNATURE_HEX]


def ticket_token(ticket: Ticket) -> str:
    return f"sd-{ticket.pk}-{_signature(ticket.pk)}"


def mail_domain() -> str:
    return str(settings.SERVICEDESK_MAIL_DOMAIN)


def thread_root_id(ticket: Ticket) -> str:
    return f"<{ticket_token(ticket)}.root@{mail_domain()}>"


def new_message_id(ticket: Ticket | None) -> str:
    unique = uuid.uuid4().hex
    if ticket is None:
        return f"<sd.{unique}@{mail_domain()}>"
    return f"<{ticket_token(ticket)}.{unique}@{mail_domain()}>"


def subject_tag(ticket: Ticket) -> str:
    return f"[{ticket.number}]"


def ticket_pks_from_tokens(header_values: Iterable[str]) -> list[int]:
    """Ticket ids named by *verified* tokens in these header values, in order of appearance."""
    found: list[int] = []
    for value in header_values:
        for match in TOKEN_PATTERN.finditer(value or ""):
            pk = int(match.group(1))
            if constant_time_compare(match.group(2), _signature(pk)) and pk not in found:
                found.append(pk)
    return found


def has_unverified_token(header_values: Iterable[str]) -> bool:
    """True when something looks like our token but its signature is wrong: a forgery hint."""
    return any(
        not constant_time_compare(match.group(2), _signature(int(match.group(1))))
        for value in header_values
        for match in TOKEN_PATTERN.finditer(value or "")
    )


def is_our_message_id(message_id: str) -> bool:
    """Mail we sent (a bounce of it, or it looping back): our domain and a verified token."""
    value = message_id.strip().strip("<>")
    return value.endswith(f"@{mail_domain()}") and (
        value.startswith("sd.") or bool(ticket_pks_from_tokens([value]))
    )


def numbers_in_subject(subject: str) -> list[str]:
    return [number.upper() for number in NUMBER_PATTERN.findall(subject or "")]
