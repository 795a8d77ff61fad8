"""What happened to a ticket, told to whoever listens (notifications, webhooks, …).

Services publish one `TicketEvent` per change *inside their transaction*, after history and SLA
clocks are written, so a listener that writes an outbox row commits or rolls back with the change
itself. Listeners must not do I/O: they record what to deliver; the worker delivers after commit.
Apps subscribe in their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from servicedesk.directory.models import Person
    from servicedesk.tickets.models import Attachment, Comment, Ticket, TicketLink


class EventName:
    """Dotted names, as in history: `ticket.create`, `ticket.update`, `ticket.assign`,
    `ticket.<state>` for a transition (e.g. `ticket.resolved`), `comment.public`,
    `comment.internal`, `attachment.add`, `ticket.link`, `ticket.affected`, `ticket.join` (someone
    added themselves as affected), `ticket.plan`, `ticket.convert`,
    from the SLA sweep `sla.warning` and `sla.breach`, and from the weekly check of scheduled
    maintenance `ticket.follow_up_due`."""

    CREATE = "ticket.create"
    UPDATE = "ticket.update"
    ASSIGN = "ticket.assign"
    COMMENT_PUBLIC = "comment.public"
    COMMENT_INTERNAL = "comment.internal"
    ATTACHMENT = "attachment.add"
    LINK = "ticket.link"
    AFFECTED = "ticket.affected"
    JOIN = "ticket.join"
    SLA_WARNING = "sla.warning"
    SLA_BREACH = "sla.breach"
    # Scheduled maintenance: its planned date changed; a week went by without a status note.
    PLAN = "ticket.plan"
    FOLLOW_UP_DUE = "ticket.follow_up_due"
    # A requester's urgent message (a public comment, also published as `comment.public`).
    URGENT = "ticket.urgent"
    # An incident converted to a service request, or back.
    CONVERT = "ticket.convert"

    @staticmethod
    def transition(state: str) -> str:
        return f"ticket.{state}"


@dataclass(frozen=True)
class TicketEvent:
    name: str
    ticket: Ticket
    actor: Person | None
    at: datetime
    # field name → (before, after), as written to history
    changes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    comment: Comment | None = None
    attachment: Attachment | None = None
    link: TicketLink | None = None
    note: str = ""
    # Event-specific facts, e.g. an SLA warning's metric, percent and who must hear of it.
    data: Mapping[str, object] = field(default_factory=dict)

    @property
    def state_changed(self) -> bool:
        return "state" in self.changes


# `data[QUIET]`: the service that published the event tells the people concerned itself.
QUIET = "quiet"


Listener = Callable[[TicketEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(event: TicketEvent) -> None:
    for listener in list(_listeners):
        listener(event)
