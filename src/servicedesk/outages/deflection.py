""" "Is this your issue?": known problems that match what an employee is typing.

Two sources, matched on the words of the short description:
- status entries in force (their title or their service's name);
- open incidents wider than one person that the employee could join as affected.

Privacy: which incidents may be offered is the access policy's to say
(`tickets.access.joinable_incidents`, the JOIN action): an incident that affects one individual
is never offered; an agency-wide one only to people of that agency; a multi-agency one, or one a
current status entry links to, to everyone; only open ones. The joining view accepts only what
the policy returns, so a guessed number is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.selectors import current_entries
from servicedesk.tickets.access import followed_ticket_ids, joinable_incidents
from servicedesk.tickets.models import Ticket

MIN_WORD_LENGTH = 3
MAX_WORDS = 8
MAX_INCIDENTS = 5
CANDIDATES = 40
# Words that match everything and tell us nothing.
_STOP_WORDS_TEXT = (
    "the and for not can cannot can't with from this that have has had does doesn't don't "
    "what when where why how who our your you are was were will any all but get got its it's "
    "since again still very just now today working work broken issue problem help please"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@dataclass(frozen=True)
class KnownIssue:
    """A status entry in force; `incident` is set when the employee can join its ticket."""

    entry: StatusEntry
    incident: Ticket | None = None
    following: bool = False


@dataclass(frozen=True)
class JoinableIncident:
    ticket: Ticket
    following: bool = False


@dataclass(frozen=True)
class Deflection:
    known_issues: list[KnownIssue] = field(default_factory=list)
    incidents: list[JoinableIncident] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.known_issues or self.incidents)


def search_words(text: str) -> list[str]:
    """The distinct meaningful words of `text`, lower-cased, in the order typed."""
    found: list[str] = []
    for word in re.findall(r"[\w'-]+", text.lower()):
        word = word.strip("'-")
        if len(word) >= MIN_WORD_LENGTH and word not in STOP_WORDS and word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def _any_word(words: list[str], *fields: str) -> Q:
    condition = Q()
    for word in words:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
    return condition


def _score(words: list[str], *texts: str) -> int:
    haystack = " ".join(texts).lower()
    return sum(1 for word in words if word in haystack)


def deflection_for(person: Person, text: str, now: datetime | None = None) -> Deflection:
    """Known issues and joinable incidents that match `text`; empty for too little text."""
    words = search_words(text)
    if not words:
        return Deflection()
    now = now or timezone.now()
    joinable = joinable_incidents(person, now)
    followed = set(followed_ticket_ids(person).values_list("pk", flat=True))
    entries = [
        entry
        for entry in current_entries(now).filter(_any_word(words, "title", "service__name"))
        if _score(words, entry.title, entry.service.name)
    ]
    linked = {
        ticket.pk: ticket
        for ticket in joinable.filter(pk__in=[e.incident_id for e in entries if e.incident_id])
    }
    known = [
        KnownIssue(
            entry=entry,
            incident=linked.get(entry.incident_id or 0),
            following=(entry.incident_id or 0) in followed,
        )
        for entry in entries
    ]
    candidates = list(
        joinable.filter(_any_word(words, "short_description", "service__name"))
        .exclude(pk__in=linked)
        .select_related("service")
        .order_by("-created_at")[:CANDIDATES]
    )
    service_name = {t.pk: t.service.name if t.service else "" for t in candidates}
    candidates.sort(
        key=lambda t: _score(words, t.short_description, service_name[t.pk]), reverse=True
    )
    incidents = [
        JoinableIncident(ticket=ticket, following=ticket.pk in followed)
        for ticket in candidates[:MAX_INCIDENTS]
    ]
    return Deflection(known_issues=known, incidents=incidents)
