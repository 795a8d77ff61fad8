"""The presence heartbeat: record that a person is looking at a ticket, list the others.

Every agent with a ticket open beats every few seconds. The ticket page hands its heartbeat a
signed key (person, ticket) once the access policy has let the agent see the ticket; with it,
a beat whose answer has not changed (the same others viewing) costs the session and one
indexed look-up of the ticket's presence rows, plus, every other beat, the write of the
agent's own. Anything else (no key, someone else's, a change of who is viewing) takes the full
road through the access policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.page_keys import page_key, page_key_ticket_id
from servicedesk.workspace.models import TicketPresence

HEARTBEAT_SECONDS = 10
# Three missed heartbeats and a person no longer counts as viewing.
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 3)
# A keyed beat writes the agent's own row only when it is older than this: every other beat,
# well inside STALE_AFTER.
REFRESH_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 1.5)
PRESENCE_KEY_SALT = "servicedesk.workspace.presence"


def presence_beat(ticket: Ticket, person: Person) -> list[Person]:
    """Mark `person` as viewing `ticket` now; return the others viewing it."""
    now = timezone.now()
    _mark_seen(ticket.pk, person.pk, now)
    others = (
        TicketPresence.objects.filter(ticket=ticket, seen_at__gte=now - STALE_AFTER)
        .exclude(person=person)
        .select_related("person")
        .order_by("person__first_name")
    )
    return [row.person for row in others]


def presence_fingerprint(others: Iterable[int]) -> str:
    """Who else is viewing, as the heartbeat's page holds it: their ids in order."""
    return ",".join(str(pk) for pk in sorted(others)) or "-"


def presence_key_for(person: Person, ticket: Ticket) -> str:
    """The key the ticket page gives its heartbeat (`tickets.page_keys`)."""
    return page_key(PRESENCE_KEY_SALT, person, ticket)


def beat_unchanged(key: str, number: str, since: str, session_person_id: str | None) -> bool:
    """Record a beat asked with a key this page handed to the person signed in on this
    session, and say whether the others viewing are still those of `since`. False, with
    nothing recorded, for anything else: the beat then takes the full road through the access
    policy, and so does any change of who is viewing."""
    ticket_id = page_key_ticket_id(PRESENCE_KEY_SALT, key, number, session_person_id)
    if not since or ticket_id is None or session_person_id is None:
        return False
    me, now = int(session_person_id), timezone.now()
    seen = dict(
        TicketPresence.objects.filter(ticket_id=ticket_id, seen_at__gte=now - STALE_AFTER)
        .order_by()
        .values_list("person_id", "seen_at")
    )
    if presence_fingerprint(pk for pk in seen if pk != me) != since:
        return False
    if me not in seen or seen[me] < now - REFRESH_AFTER:
        _mark_seen(ticket_id, me, now)
    return True


def _mark_seen(ticket_id: int, person_id: int, now: datetime) -> None:
    """One statement, whether the row is there or not."""
    TicketPresence.objects.bulk_create(
        [TicketPresence(ticket_id=ticket_id, person_id=person_id, seen_at=now)],
        update_conflicts=True,
        unique_fields=["ticket", "person"],
        update_fields=["seen_at"],
    )
