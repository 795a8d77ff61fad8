"""One handler per form on the agent's ticket page: parse, call one service, say what happened.

Each handler gets the agent, the ticket as read and the form's cleaned data; it returns the
sentence shown after the redirect, or raises `TicketError` (shown next to the form's field).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from servicedesk.directory.models import Person
from servicedesk.tickets import services
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import ticket_get
from servicedesk.tickets.services.replies import comment_with_files_add
from servicedesk.workspace import forms as workspace_forms

Data = dict[str, Any]


def _triage(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    assert isinstance(form, workspace_forms.TriageForm)
    services.ticket_triage(
        ticket,
        actor=actor,
        version=data["version"],
        changes=form.changes(),
        group=data["group"],
        assignee=data["assignee"],
    )
    return "Triage saved."


def _comment(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    comment_with_files_add(
        ticket,
        actor=actor,
        body=data["body"],
        internal=data["internal"],
        uploads=data.get("attachments") or [],
    )
    return "Internal note added." if data["internal"] else "Reply sent to the requester."


def _state(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    to = TicketState(data["to"])
    services.ticket_transition(
        ticket,
        actor=actor,
        version=data["version"],
        to=to,
        note=data["note"],
        force_reason=data["force_reason"],
        approval_reason=data["approval_reason"],
    )
    return f"Now {to.label.lower()}."


def _assign(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    services.ticket_assign(
        ticket,
        actor=actor,
        version=data["version"],
        group=data["group"],
        assignee=data["assignee"],
        approval_reason=data["approval_reason"],
    )
    return "Assigned."


def _escalate(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    escalated = services.ticket_escalate(
        ticket, actor=actor, version=data["version"], reason=data["reason"], group=data["group"]
    )
    return f"Escalated to {escalated.assignment_group}."


def _resolve_to_desk(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    resolved = services.ticket_resolve_to_desk(
        ticket, actor=actor, version=data["version"], note=data["note"]
    )
    return f"Resolved and handed back to {resolved.assignment_group} to verify."


def _task(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    task = services.task_create(
        ticket,
        actor=actor,
        group=data["group"],
        short_description=data["short_description"],
        description=data["description"],
    )
    return f"Task {task.number} created for {data['group']}."


def _duplicate(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    try:
        first = ticket_get(actor, data["first"].strip())
    except Ticket.DoesNotExist as missing:
        raise TicketError(
            TicketErrorCode.INVALID_VALUE, f"No ticket {data['first']}.", field="first"
        ) from missing
    services.ticket_mark_duplicate(ticket, first, actor=actor, version=data["version"])
    return f"Marked as a duplicate of {first.number}."


def _problem(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    problem = services.problem_open_from(
        ticket,
        actor=actor,
        short_description=data["short_description"],
        description=data["description"],
    )
    return f"Problem {problem.number} opened; this incident is linked as caused by it."


def _redirect(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    services.ticket_transition(
        ticket,
        actor=actor,
        version=data["version"],
        to=TicketState.REDIRECTED,
        note=data["note"],
        help_desk=data["help_desk"],
    )
    return f"Redirected to {data['help_desk']}; the requester sees their contact card."


def _take(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    taken = services.ticket_take(
        ticket,
        actor=actor,
        version=data["version"],
        assignee=data["assignee"],
        approval_reason=data["approval_reason"],
    )
    return f"Assigned to {taken.assignee}."


def _plan(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    planned = services.ticket_plan(
        ticket, actor=actor, version=data["version"], planned_for=data["planned_for"]
    )
    if planned.planned_for is None:
        return "Planned date cleared."
    return f"Planned for {planned.planned_for:%a %d %b %Y}."


def _convert(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    to = TicketKind.REQUEST if ticket.kind == TicketKind.INCIDENT else TicketKind.INCIDENT
    services.ticket_convert(
        ticket, actor=actor, version=data["version"], to=to, reason=data["reason"]
    )
    return f"Now a {to.label.lower()}; its SLA clocks count from submission."


def _watch(actor: Person, ticket: Ticket, data: Data, form: forms.Form) -> str:
    if services.ticket_watch(ticket, person=actor, watching=data["watching"]):
        return "You are watching this ticket: its updates reach you."
    return "You no longer watch this ticket."


Handler = Callable[[Person, Ticket, Data, forms.Form], str]


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    handle: Handler
    # The field a refusal without a field of its own is shown beside.
    main_field: str | None


ACTIONS: dict[str, Action] = {
    "triage": Action(workspace_forms.TriageForm, _triage, None),
    "comment": Action(workspace_forms.CommentForm, _comment, "body"),
    "state": Action(workspace_forms.StateForm, _state, "to"),
    "assign": Action(workspace_forms.AssignForm, _assign, "group"),
    "escalate": Action(workspace_forms.EscalateForm, _escalate, "reason"),
    "resolve-to-desk": Action(workspace_forms.ResolveToDeskForm, _resolve_to_desk, "note"),
    "task": Action(workspace_forms.TaskForm, _task, "short_description"),
    "duplicate": Action(workspace_forms.DuplicateForm, _duplicate, "first"),
    "problem": Action(workspace_forms.ProblemForm, _problem, "short_description"),
    "redirect": Action(workspace_forms.RedirectForm, _redirect, "help_desk"),
    "take": Action(workspace_forms.TakeForm, _take, "approval_reason"),
    "plan": Action(workspace_forms.PlanForm, _plan, "planned_for"),
    "watch": Action(workspace_forms.WatchForm, _watch, None),
    "convert": Action(workspace_forms.ConvertForm, _convert, "reason"),
}
