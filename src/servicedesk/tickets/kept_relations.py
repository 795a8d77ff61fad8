"""A ticket's configuration rows (its group, service, category, location, ...) taken from the
rows the process keeps while the configuration's edition stands (`core.editions.kept_row`),
instead of joined to the ticket's read.

PostgreSQL plans a join of many tables slowly, and plans it again on every read: a write's locked
read of the ticket joined to the twelve tables it names took 17 ms to plan at a million tickets,
for a read that ran in under 1 ms; joined to its people only, 1 ms.
"""

from __future__ import annotations

from django.db.models import Model

from servicedesk.catalog.models import Category, PriorityCode, RequestType, Service
from servicedesk.core.editions import kept_row
from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, SupportGroup
from servicedesk.tickets.models import Ticket

# The people a ticket names: joined, since people are many and change all day.
PEOPLE_RELATED = ("requester", "requested_by", "assignee")
# The rest: configuration, kept by the process (with the relations named beside each).
CONFIGURATION_RELATED: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "agency": (Agency, ()),
    "assignment_group": (SupportGroup, ()),
    "service": (Service, ("default_group",)),
    "category": (Category, ()),
    "priority_code": (PriorityCode, ()),
    "request_type": (RequestType, ()),
    "location": (Location, ("agency",)),
    "redirected_to": (ExternalHelpDesk, ()),
}


def keep_configuration(ticket: Ticket, names: tuple[str, ...]) -> None:
    """Set the ticket's configuration relations `names` to the kept rows. Only inside
    `one_edition()`; the rows are shared by the whole process: read them, never change them."""
    for name in names:
        model, related = CONFIGURATION_RELATED[name]
        pk = getattr(ticket, f"{name}_id")
        setattr(ticket, name, None if pk is None else kept_row(model, pk, *related))
