"""The presence heartbeat: record that a person is looking at a ticket, list the others."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket
from servicedesk.workspace.models import TicketPresence

HEARTBEAT_SECONDS = 10
# Three missed heartbeats and a person no longer counts as viewing.
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 3)


def presence_beat(ticket: Ticket, person: Person) -> list[Person]:
    """Mark `person` as viewing `ticket` now; return the others viewing it."""
    now = timezone.now()
    TicketPresence.objects.update_or_create(ticket=ticket, person=person, defaults={"seen_at": now})
    others = (
        TicketPresence.objects.filter(ticket=ticket, seen_at__gte=now - STALE_AFTER)
        .exclude(person=person)
        .select_related("person")
        .order_by("person__first_name")
    )
    return [row.person for row in others]
