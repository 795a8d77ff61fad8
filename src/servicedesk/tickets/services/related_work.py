"""Work that grows out of a ticket: a task for another team (the state agency's filing procedure,
5a), a problem when the root cause is not fixed (the incident management procedure, 5.8.1), and
duplicates of a first report (the incident management procedure, 5.6)."""

from __future__ import annotations

from django.db import transaction

from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services.collaboration import ticket_link
from servicedesk.tickets.services.lifecycle import (
    locked,
    refuse,
    require_staff,
    ticket_create,
    ticket_transition,
)
from servicedesk.tickets.workflow import OPEN_STATES


def _require_open(ticket: Ticket, what: str) -> None:
    if ticket.state not in OPEN_STATES:
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{ticket.number} is {ticket.get_state_display().lower()}; reopen it to {what}.",
        )


@transaction.atomic
def task_create(
    parent: Ticket,
    *,
    actor: Person,
    group: SupportGroup,
    short_description: str,
    description: str = "",
    assignee: Person | None = None,
) -> Ticket:
    """A TASK child of `parent` for `group`, with its own assignee and state. The parent cannot
    close while it is open (ticket_transition checks). The task's requester is the agent who
    asks for the work: it is internal, so it never appears in the employee's portal list."""
    require_staff(actor, "create tasks")
    current = locked(parent, None)
    _require_open(current, "add tasks")
    task = ticket_create(
        actor=actor,
        kind=TicketKind.TASK,
        short_description=short_description,
        description=description or f"Task for {current.number}: {current.short_description}",
        channel=Channel(current.channel),
        agency=current.agency,
        location=current.location,
        service=current.service,
        category=current.category,
        priority_code=current.priority_code,
        impact=current.impact,
        severity=current.severity,
        priority=current.priority or None,
        priority_override_reason=f"Same priority as its parent {current.number}",
        assignment_group=group,
        assignee=assignee,
    )
    ticket_link(task, current, actor=actor, kind=LinkKind.CHILD_OF)
    return task


@transaction.atomic
def problem_open_from(
    incident: Ticket, *, actor: Person, short_description: str, description: str = ""
) -> Ticket:
    """A problem for the underlying cause; the incident is linked as caused by it."""
    require_staff(actor, "open problems")
    if incident.kind != TicketKind.INCIDENT:
        raise refuse(
            TicketErrorCode.INVALID_VALUE,
            "Problems are opened from incidents.",
            "short_description",
        )
    problem = ticket_create(
        actor=actor,
        kind=TicketKind.PROBLEM,
        short_description=short_description,
        description=description or f"Root cause of {incident.number}: {incident.short_description}",
        channel=Channel(incident.channel),
        agency=incident.agency,
        location=incident.location,
        service=incident.service,
        category=incident.category,
        assignment_group=incident.assignment_group,
    )
    ticket_link(incident, problem, actor=actor, kind=LinkKind.CAUSED_BY)
    return problem


@transaction.atomic
def ticket_mark_duplicate(
    duplicate: Ticket, first: Ticket, *, actor: Person, version: int | None, close: bool = True
) -> Ticket:
    """Link `duplicate` to the first report; its requester joins the first ticket's affected
    people (ticket_link does it) and the link event tells the first ticket's assignee.

    Decision: by default the duplicate is *cancelled* with a note naming the first report, not
    resolved: nothing was fixed on it, so its SLA clocks end as cancelled rather than met, and
    its requester follows the first ticket (they can see it as an affected person)."""
    current = locked(duplicate, version)
    ticket_link(current, first, actor=actor, kind=LinkKind.DUPLICATE_OF)
    if not close:
        return current
    return ticket_transition(
        current,
        actor=actor,
        version=None,
        to=TicketState.CANCELLED,
        note=f"Duplicate of {first.number}; you are added to it and will hear from it.",
    )
