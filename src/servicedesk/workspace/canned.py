"""Placeholders in canned responses: a fixed list of names replaced by plain text.

Deliberately not Django's template engine: a canned response is text an agent typed, and the
engine would let it reach any attribute of the objects in its context. Here only the names
below exist; the result is plain text that the reply box shows and the page escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Ticket

Value = Callable[[Ticket, Person], str]

PLACEHOLDERS: dict[str, Value] = {
    "requester.first_name": lambda ticket, agent: (
        ticket.requester.first_name or str(ticket.requester)
    ),
    "requester.last_name": lambda ticket, agent: ticket.requester.last_name,
    "requester.name": lambda ticket, agent: str(ticket.requester),
    "ticket.number": lambda ticket, agent: ticket.number,
    "ticket.short_description": lambda ticket, agent: ticket.short_description,
    "ticket.group": lambda ticket, agent: str(ticket.assignment_group or "the service desk"),
    "agent.first_name": lambda ticket, agent: agent.first_name or str(agent),
    "agent.name": lambda ticket, agent: str(agent),
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


def unknown_placeholders(body: str) -> list[str]:
    """The `{{ names }}` in `body` that are not in PLACEHOLDERS, in order, once each."""
    found = [match.group(1) for match in PLACEHOLDER.finditer(body)]
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


def canned_text(body: str, ticket: Ticket, agent: Person) -> str:
    """`body` with each known placeholder replaced; anything else is left as typed."""

    def value(match: re.Match[str]) -> str:
        fill = PLACEHOLDERS.get(match.group(1))
        return match.group(0) if fill is None else fill(ticket, agent)

    return PLACEHOLDER.sub(value, body)
