"""One ticket by its number, through the access policy, read with its statement kept.

PostgreSQL took 4 ms to plan the agent's ticket page's read of its ticket at a million tickets
(three people joined, the policy's condition, seven probes of what the ticket has), and Django
2 ms to compile it, against well under 1 ms to run it. Kept for the viewer's shape
(`core.kept_queries.KeptByShape`), it is compiled once and prepared on PostgreSQL
(`core/server_binding.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptByShape
from servicedesk.directory.models import Person
from servicedesk.tickets.access import reach_shape, visible_ticket_numbered_exactly
from servicedesk.tickets.models import Ticket

_NUMBERED = KeptByShape()


def visible_ticket_read(
    viewer: Person,
    number: str,
    finish: Callable[[QuerySet[Ticket]], QuerySet[Ticket]],
    finish_shape: Hashable,
) -> Ticket:
    """The ticket of this number if the viewer may see it (`visible_ticket_numbered`), read as
    `finish` adds to that (joins, annotations), with the statement kept for the viewer's shape
    and `finish_shape`, which must name all `finish` depends on besides the viewer. Raises
    Ticket.DoesNotExist."""

    def build(stored_number: str) -> QuerySet[Ticket]:
        # Unordered and sliced here, not by `.get()`, which would read it as a new statement.
        return finish(visible_ticket_numbered_exactly(viewer, stored_number)).order_by()[:2]

    shape = (reach_shape(viewer), finish_shape)
    for ticket in _NUMBERED.of(shape, build, number.upper()):
        return ticket
    raise Ticket.DoesNotExist(number)
