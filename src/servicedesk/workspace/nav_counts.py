"""The version of the nav's queue counts, which every agent's every page polls.

A thousand agents with the workspace open poll their counts every few seconds; counting the
queues over a million tickets each time would cost a full query per poll. The counts move when
a ticket changes (every change writes a history entry: the newest entry's id is one indexed
look-up) or when time passes a due time (overdue, breaching soon): the version names the
agent, the newest history entry and the current minute. A poll that brings back the version it
was given gets a 204 for the session and that one look-up; the counts are recounted at least
once a minute, and at once after any change of a ticket.

Desk-wide on purpose: a version over the agent's own scope would need the scope read first
(their groups and agencies), which is the cost the version avoids.
"""

from __future__ import annotations

import time

from django.core import signing

from servicedesk.tickets.models import TicketHistory

NAV_POLL_SECONDS = 15
# Counts that move with the clock alone are recounted at least this often; so is a change whose
# history entry committed after a newer one (its id is lower), which the newest id would miss.
RECOUNT_SECONDS = 60
NAV_VERSION_SALT = "servicedesk.workspace.nav_counts"


def nav_counts_version(person_id: str, now: float | None = None) -> str:
    """An opaque version of `person_id`'s nav counts (signed: only the server makes one)."""
    newest = TicketHistory.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    minute = int((time.time() if now is None else now) // RECOUNT_SECONDS)
    return signing.Signer(salt=NAV_VERSION_SALT).signature(f"{person_id}.{newest}.{minute}")


def nav_counts_unchanged(since: str, session_person_id: str | None) -> bool:
    """Whether the counts the person signed in on this session holds are still current."""
    return bool(since and session_person_id) and since == nav_counts_version(str(session_person_id))
