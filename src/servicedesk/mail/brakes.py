"""Brakes for floods and loops: limits that hold mail for review instead of filing it.

- A sender's hourly cap (`SERVICEDESK_MAIL_SENDER_HOURLY_CAP`): more accepted messages than that
  from one address in an hour are held.
- A per-thread loop brake (`SERVICEDESK_MAIL_THREAD_HOURLY_CAP`): a robot that strips our
  `[INC…]` tag answers each acknowledgement with what looks like a new mail, and each would file
  a ticket and draw another acknowledgement. New tickets from one sender in one thread are
  capped per hour; the rest are held, unacknowledged, so the loop stops at the cap. One thread:
  once tags and "Re:", "AW:" and the like are taken off, one subject ends with the other (each
  round of such a loop wraps the last subject in our acknowledgement's words).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage

# Reply and forward prefixes of many mail clients and languages, and bracketed tags.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|fw|fwd|wg|tr|rv|antw|odp|ynt|res|enc|vl|r|doorst|továbbítás)"
    r"(?:\[\d+\])?\s*[:：]|\[[^\]]*\]|\([^)]*\))\s*",
    re.IGNORECASE,
)


_TAG = re.compile(r"\[[^\]]*\]")


def thread_key(subject: str) -> str:
    """The subject with every tag and leading reply/forward prefix taken off, lower-cased."""
    text = " ".join(_TAG.sub(" ", subject).split())
    while True:
        shorter = _PREFIX.sub("", text, count=1)
        if shorter == text:
            return text.lower()
        text = shorter


def _same_thread(one: str, other: str) -> bool:
    if not one or not other:
        return one == other  # no subject is its own thread, not a part of every other
    return one.endswith(other) or other.endswith(one)


def _accepted_in_the_last_hour(row: InboundMessage) -> list[tuple[str, int | None]]:
    since = timezone.now() - timedelta(hours=1)
    return list(
        InboundMessage.objects.filter(
            from_address=row.from_address, state=InboundState.PROCESSED, processed_at__gte=since
        )
        .exclude(pk=row.pk)
        .values_list("subject", "comment_id")
    )


def over_sender_cap(row: InboundMessage) -> bool:
    return len(_accepted_in_the_last_hour(row)) >= settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP


def loop_braked(row: InboundMessage) -> bool:
    """Has this sender filed the thread's cap of new tickets in the last hour?"""
    key = thread_key(row.subject)
    filed = [
        subject
        for subject, comment_id in _accepted_in_the_last_hour(row)
        if comment_id is None and _same_thread(thread_key(subject), key)
    ]
    return len(filed) >= settings.SERVICEDESK_MAIL_THREAD_HOURLY_CAP
