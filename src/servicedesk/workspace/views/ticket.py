"""The agent's ticket page: read it, act on it, see who else is on it.

Two agents at once: every form that edits fields carries the version read. A save based on an
older version is refused by the services (StaleTicketError); the page comes back with the other
agent's change beside what this agent typed, the typed form intact and the version refreshed,
so saving again is a deliberate choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.catalog.choices import Priority
from servicedesk.catalog.models import Service
from servicedesk.catalog.selectors import priority_from_matrix
from servicedesk.core.editions import reads_configuration
from servicedesk.core.model_choices import share_model_choices
from servicedesk.directory.models import Person
from servicedesk.mail.selectors import received_mails
from servicedesk.sla.selectors import targets_preview
from servicedesk.tickets.access import may_see_ticket
from servicedesk.tickets.agent_page import AgentTicketPage, agent_ticket_page
from servicedesk.tickets.attachments_policy import INLINE_SAFE_CONTENT_TYPES
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.discipline import is_scheduled_work
from servicedesk.tickets.errors import StaleTicketError, TicketError
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import ticket_get
from servicedesk.tickets.workflow import ALLOWED_TRANSITIONS
from servicedesk.workspace import forms as workspace_forms
from servicedesk.workspace.presence import (
    HEARTBEAT_SECONDS,
    beat_unchanged,
    presence_beat,
    presence_fingerprint,
    presence_key_for,
)
from servicedesk.workspace.selectors import canned_choices
from servicedesk.workspace.views.common import show_refusal, staff_person
from servicedesk.workspace.views.ticket_actions import ACTIONS


def _page_or_404(person: Person, number: str) -> AgentTicketPage:
    try:
        return agent_ticket_page(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing


def auto_id(action: str) -> str:
    """Several forms share field names on one page; ids (and so labels) must stay unique."""
    return f"{action}-%s"


# The ticket page's forms folded under a <details> until the agent opens one. The page leaves
# them out (their lists and widgets were most of its rendering); the browser fetches the one
# opened (`ticket_form`). A form that comes back with an error is on the page itself, open.
FOLDED_FORMS = frozenset(
    {
        "take",
        "plan",
        "state",
        "assign",
        "escalate",
        "resolve-to-desk",
        "convert",
        "redirect",
        "task",
        "duplicate",
        "problem",
    }
)


def fresh_form(ticket: Ticket, action: str) -> forms.Form:
    """The action's form as the ticket stands: its current values and version."""
    if action == "triage":
        return workspace_forms.TriageForm.for_ticket(ticket, auto_id=auto_id("triage"))
    initial: dict[str, dict[str, Any]] = {
        "assign": {"group": ticket.assignment_group_id, "assignee": ticket.assignee_id},
        "redirect": {"note": ""},
        "plan": {"planned_for": ticket.planned_for},
    }
    values = {"version": ticket.version, **initial.get(action, {})}
    form = ACTIONS[action].form(initial=values, auto_id=auto_id(action))
    if action == "state":
        state_field = form.fields["to"]
        assert isinstance(state_field, forms.ChoiceField)
        next_states = ALLOWED_TRANSITIONS[TicketState(ticket.state)]
        state_field.choices = [
            (value, label) for value, label in TicketState.choices if value in next_states
        ]
    return form


def _fresh_forms(page: AgentTicketPage) -> dict[str, forms.Form]:
    """The forms the page shows unfolded: triage and the reply box."""
    return {action: fresh_form(page.ticket, action) for action in ("triage", "comment")}


def _shown(form: forms.Form, name: str, value: Any) -> str:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): str(label) for key, label in field.choices}  # type: ignore[misc,union-attr]
        return labels.get("" if value is None else str(value), str(value or "—")) or "—"
    return str(value or "—")


def _stale_rows(form: forms.Form, ticket: Ticket) -> list[tuple[str, str, str]]:
    """(field, value now, what you typed) for every field where the two differ."""
    now = (
        workspace_forms.TriageForm.for_ticket(ticket).initial
        if isinstance(form, workspace_forms.TriageForm)
        else {"group": ticket.assignment_group_id, "assignee": ticket.assignee_id}
    )
    rows = []
    for name, value_now in now.items():
        if name == "version" or name not in form.fields:
            continue
        typed = form.data.get(name, "")
        if str(value_now or "") != str(typed or ""):
            label = str(form.fields[name].label or name.replace("_", " ").capitalize())
            rows.append((label, _shown(form, name, value_now), _shown(form, name, typed)))
    return rows


def _render(
    request: HttpRequest,
    page: AgentTicketPage,
    *,
    status: int = 200,
    bound: tuple[str, forms.Form] | None = None,
    stale: list[tuple[str, str, str]] | None = None,
) -> HttpResponse:
    all_forms = _fresh_forms(page)
    viewer = request.user
    canned = canned_choices(viewer, page.ticket) if isinstance(viewer, Person) else []
    if bound is not None:
        all_forms[bound[0]] = bound[1]
    share_model_choices(all_forms.values())
    context = {
        "page": page,
        "ticket": page.ticket,
        # Template lookups cannot contain "-": "resolve-to-desk" is read as resolve_to_desk.
        "forms": {name.replace("-", "_"): form for name, form in all_forms.items()},
        "stale": stale,
        "stale_form": bound[0] if stale is not None and bound else "",
        "is_scheduled": is_scheduled_work(page.ticket),
        "watching": page.watching,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "presence_key": presence_key_for(viewer, page.ticket) if isinstance(viewer, Person) else "",
        "canned": canned,
        "canned_texts": {str(choice.pk): choice.text for choice in canned},
        "previewable": INLINE_SAFE_CONTENT_TYPES,
        "received_mails": received_mails(viewer, page.ticket) if page.mailed else [],
    }
    return render(request, "workspace/ticket.html", context, status=status)


@login_required
@require_GET
@reads_configuration  # the matrix and the drop-down lists, kept while the edition stands
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, _page_or_404(staff_person(request), number))


@login_required
@require_GET
@reads_configuration
def ticket_form(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One folded form of the ticket page, fetched when the agent opens it."""
    person = staff_person(request)
    if action not in FOLDED_FORMS:
        raise Http404
    try:
        ticket = ticket_get(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    context = {"ticket": ticket, "action": action, "form": fresh_form(ticket, action)}
    return render(request, "workspace/_work_form.html", context)


def _refresh_version(form: forms.Form, version: int) -> None:
    """Keep what was typed; only the version moves to the one now shown beside it."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(version)
    form.data = data


@login_required
@require_POST
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    person = staff_person(request)
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    page = _page_or_404(person, number)
    form = chosen.form(request.POST, request.FILES, auto_id=auto_id(action))
    if form.is_valid():
        try:
            said = chosen.handle(person, page.ticket, form.cleaned_data, form)
        except StaleTicketError:
            fresh = _page_or_404(person, number)
            rows = _stale_rows(form, fresh.ticket)
            _refresh_version(form, fresh.ticket.version)
            form = chosen.form(form.data, auto_id=auto_id(action))
            form.is_valid()
            return _render(request, fresh, status=409, bound=(action, form), stale=rows)
        except TicketError as refused:
            show_refusal(form, refused, fallback_field=chosen.main_field)
        else:
            messages.success(request, said)
            if not may_see_ticket(person, page.ticket):
                # Handed outside the agent's scope (escalated, resolved back to a desk of
                # another agency): its page would now be a 404, so land on the workspace.
                messages.info(request, f"{page.ticket.number} is no longer in your queues.")
                return redirect("workspace:home")
            return redirect("workspace:ticket", number=page.ticket.number)
    return _render(request, page, status=400, bound=(action, form))


@login_required
@require_GET
def triage_preview(request: HttpRequest, number: str) -> HttpResponse:
    """What the triage form would give, before saving: proposed group, priority, SLA targets."""
    person = staff_person(request)
    try:
        ticket = ticket_get(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    get = request.GET
    service_id = get.get("service", "")
    services = Service.objects.select_related("default_group")
    service = services.filter(pk=service_id).first() if service_id.isdigit() else None
    impact, severity = get.get("impact", ""), get.get("severity", "")
    matrix = priority_from_matrix(impact, severity) if impact and severity else None
    chosen = get.get("priority", "")
    priority = (
        chosen if chosen in Priority.values else (matrix.value if matrix else ticket.priority)
    )
    changes: dict[str, object] = {"priority": priority}
    for name in ("category", "priority_code", "request_type"):
        value = get.get(name, "")
        changes[f"{name}_id"] = int(value) if value.isdigit() else None
    return render(
        request,
        "workspace/_triage_preview.html",
        {
            "proposed_group": service.default_group if service else ticket.assignment_group,
            "matrix": matrix,
            "priority": Priority(priority).label if priority else "not set",
            "overridden": bool(chosen and matrix and chosen != matrix.value),
            "targets": targets_preview(ticket, changes),
        },
    )


@require_POST
def presence(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket page's heartbeat. The same others viewing as the caller's copy: 204 (htmx
    keeps what it shows), for the session and one look-up with the key the page handed out
    (see `workspace.presence`); without it, or after a change, the full road below."""
    if beat_unchanged(
        request.GET.get("key", ""),
        number,
        request.GET.get("since", ""),
        request.session.get(SESSION_KEY),
    ):
        return HttpResponse(status=204)
    return _presence(request, number)


@login_required
def _presence(request: HttpRequest, number: str) -> HttpResponse:
    person = staff_person(request)
    try:
        ticket = ticket_get(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    others = presence_beat(ticket, person)
    return render(request, "workspace/_presence.html", _presence_context(person, ticket, others))


def _presence_context(person: Person, ticket: Ticket, others: list[Person]) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "others": others,
        "presence_key": presence_key_for(person, ticket),
        "presence_since": presence_fingerprint(other.pk for other in others),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
    }
