"""Triage in one step: the desk's fields and the assignment, saved together or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.lifecycle import (
    locked,
    require_staff,
    ticket_assign,
    ticket_update,
)

PRIORITY_FIELDS = ("impact", "severity")


@transaction.atomic
def ticket_triage(
    ticket: Ticket,
    *,
    actor: Person,
    version: int | None,
    changes: Mapping[str, Any],
    group: SupportGroup | None = None,
    assignee: Person | None = None,
) -> Ticket:
    """Apply the triage form: `changes` as for `ticket_update` (only the fields that differ are
    written), then the assignment. `priority` None or "" means "what the matrix gives"; a
    different priority needs `priority_override_reason` (ticket_update enforces it).

    The version read is checked first, so a triage based on an old copy is refused whole.
    A service with a default group proposes it when the ticket has no group yet.
    """
    require_staff(actor, "triage tickets")
    current = locked(ticket, version)
    wanted = dict(changes)
    requested = wanted.pop("priority", None) or None
    reason = str(wanted.pop("priority_override_reason", "") or "")
    differing = {name: value for name, value in wanted.items() if getattr(current, name) != value}
    priority_moves = bool(set(differing) & set(PRIORITY_FIELDS)) or (
        requested is not None
        and (requested != current.priority or reason != current.priority_override_reason)
    )
    if priority_moves:
        differing["priority"] = requested
        differing["priority_override_reason"] = reason
    if differing:
        current = ticket_update(current, actor=actor, version=current.version, changes=differing)
    if group is None and current.assignment_group is None and current.service is not None:
        group = current.service.default_group
    group_moves = group is not None and group != current.assignment_group
    if group_moves or (assignee != current.assignee and (group or assignee)):
        current = ticket_assign(
            current, actor=actor, version=current.version, group=group, assignee=assignee
        )
    return current
