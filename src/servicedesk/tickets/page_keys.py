"""Signed keys a ticket page hands its polls (the portal's live poll, the agent's heartbeat).

The page is rendered after the access policy let the person see the ticket; the key it hands
out says so, for that person and that ticket, for no longer than a session. A poll asked with
it can give its unchanged answer without asking the policy again: that answer tells the holder
only that nothing changed, and any change sends the poll down the full road.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket


def page_key(salt: str, person: Person, ticket: Ticket) -> str:
    """The key for `person`'s page of `ticket`; each poll signs with its own salt."""
    return signing.TimestampSigner(salt=salt).sign(f"{person.pk}:{ticket.pk}:{ticket.number}")


def page_key_ticket_id(
    salt: str, key: str, number: str, session_person_id: str | None
) -> int | None:
    """The id of the ticket `key` was handed out for, when it is a key of this salt, for the
    person signed in on this session and for ticket `number`, and no older than a session;
    otherwise None."""
    try:
        signed = signing.TimestampSigner(salt=salt).unsign(key, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return None
    person_id, _, rest = signed.partition(":")
    ticket_id, _, key_number = rest.partition(":")
    if session_person_id != person_id or key_number != number.upper() or not ticket_id.isdigit():
        return None
    return int(ticket_id)
