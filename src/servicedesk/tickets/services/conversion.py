"""Converting an incident to a service request and back (the school district's chart files both
through the same channels; e-mail and the phone often guess the kind wrong).

The ticket keeps its number, history and conversation; its response and resolution clocks are
re-planned from submission on the new kind's targets (see `sla.services`).
"""

from __future__ import annotations

from django.db import transaction

from servicedesk.directory.models import Person
from servicedesk.tickets import history
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.events import EventName
from servicedesk.tickets.limits import check_lengths
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.lifecycle import locked, refuse, require_staff, save_changes
from servicedesk.tickets.workflow import OPEN_STATES

CONVERTIBLE = frozenset({TicketKind.INCIDENT, TicketKind.REQUEST})


def _a(kind: TicketKind) -> str:
    label = kind.label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


@transaction.atomic
def ticket_convert(
    ticket: Ticket, *, actor: Person, version: int | None, to: TicketKind, reason: str = ""
) -> Ticket:
    """Make an open incident a service request, or a service request an incident."""
    require_staff(actor, "convert tickets")
    check_lengths(note=reason)
    current = locked(ticket, version)
    target = TicketKind(to)
    if current.kind not in CONVERTIBLE or target not in CONVERTIBLE:
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            "Only incidents and service requests can be converted, into each other.",
            "kind",
        )
    if current.kind == target:
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            f"{current.number} is already {_a(target)}.",
            "kind",
        )
    if current.state not in OPEN_STATES:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()}; reopen it to convert it.",
            "kind",
        )
    before = history.snapshot(current)
    current.kind = target
    saved = save_changes(current, actor, EventName.CONVERT, before, reason.strip())
    if reason.strip():
        history.record(saved, actor, EventName.CONVERT, "note", "", reason.strip())
    return saved
