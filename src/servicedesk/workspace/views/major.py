"""Major incidents for staff: declare (from a ticket or an outage), attach reports, the live
scope, the one composer for updates, corrections, resolution, and the review. Each form calls
one `outages` service; refusals land next to their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.directory.models import Person
from servicedesk.directory.oncall import on_call_board
from servicedesk.outages.communications import (
    major_incident_correct,
    major_incident_update,
)
from servicedesk.outages.errors import MajorIncidentError, StatusError
from servicedesk.outages.major import (
    major_incident_attach,
    major_incident_declare,
    major_incident_declare_from_outage,
    major_incident_record_root_cause,
    major_incident_set_all_users,
)
from servicedesk.outages.major_selectors import (
    attach_candidates,
    children_of,
    major_incident_get,
    major_scope,
    open_major_incidents,
    plan_for,
    recent_major_incidents,
)
from servicedesk.outages.models import Communication, MajorIncident, StatusEntry
from servicedesk.outages.resolution import major_incident_resolve
from servicedesk.outages.review import major_review, major_timeline
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import ticket_get
from servicedesk.workspace.major_forms import (
    AttachForm,
    CorrectForm,
    DeclareMajorForm,
    ResolveForm,
    RootCauseForm,
    ScopeForm,
    UpdateForm,
)
from servicedesk.workspace.views.common import staff_person

Refusal = MajorIncidentError | TicketError | StatusError


def _show(form: forms.Form, refused: Refusal, fallback: str) -> None:
    field = refused.field if refused.field in form.fields else fallback
    form.add_error(field, refused.message)


def _major_or_404(pk: int) -> MajorIncident:
    try:
        return major_incident_get(pk)
    except MajorIncident.DoesNotExist as missing:
        raise Http404 from missing


def _ticket_or_404(person: Person, number: str) -> Ticket:
    try:
        return ticket_get(person, number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_GET
def major_list(request: HttpRequest) -> HttpResponse:
    staff_person(request)
    context = {
        "open": list(open_major_incidents()),
        "recent": recent_major_incidents(),
        "on_call": on_call_board(),
    }
    return render(request, "workspace/major_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def major_declare(request: HttpRequest, number: str) -> HttpResponse:
    """From an incident: the public message and the reports to attach at once."""
    person = staff_person(request)
    ticket = _ticket_or_404(person, number)
    form = DeclareMajorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        picked = Ticket.objects.filter(number__in=request.POST.getlist("children"))
        try:
            major = major_incident_declare(
                ticket,
                actor=person,
                public_message=form.cleaned_data["public_message"],
                children=list(picked),
            )
        except (MajorIncidentError, TicketError, StatusError) as refused:
            _show(form, refused, "public_message")
        else:
            messages.success(request, f"{ticket.number} is a major incident; the team is told.")
            return redirect("workspace:major_incident", pk=major.pk)
    context = {
        "ticket": ticket,
        "form": form,
        "candidates": attach_candidates(person, ticket),
        "plan": plan_for(ticket.service_id),
    }
    return render(
        request, "workspace/major_declare.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_POST
def major_declare_from_outage(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    entry = StatusEntry.objects.filter(pk=pk).select_related("incident", "service").first()
    if entry is None:
        raise Http404
    try:
        major = major_incident_declare_from_outage(entry, actor=person)
    except (MajorIncidentError, TicketError, StatusError) as refused:
        messages.error(request, refused.message)
        return redirect("workspace:status_entry", pk=entry.pk)
    messages.success(request, f"{major.ticket.number} is a major incident; the team is told.")
    return redirect("workspace:major_incident", pk=major.pk)


def _page(
    request: HttpRequest,
    person: Person,
    major: MajorIncident,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    found: dict[str, Any] = {
        "attach": AttachForm(),
        "scope_form": ScopeForm(initial={"all_users": major.all_users}),
        "update": UpdateForm(initial={"audiences": ["status_page"]}),
        "correct": CorrectForm(),
        "resolve": ResolveForm(initial={"audiences": ["status_page", "greeting"]}),
    }
    found.update(bound or {})
    communications = list(
        major.communications.prefetch_related("sends").select_related("author", "corrects")
    )
    context = {
        "major": major,
        "ticket": major.ticket,
        "scope": major_scope(major),
        "children": list(children_of(major).select_related("agency", "requester")),
        "candidates": attach_candidates(person, major.ticket) if major.is_open else [],
        "communications": communications,
        "timeline": major_timeline(major),
        "plan": plan_for(major.ticket.service_id),
        "correct_target": request.POST.get("communication", ""),
        **found,
    }
    return render(request, "workspace/major_incident.html", context, status=status)


@login_required
@require_GET
def major_incident(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    return _page(request, person, _major_or_404(pk))


@login_required
@require_POST
def major_attach(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    form = AttachForm(request.POST)
    if form.is_valid():
        numbers = form.numbers(request.POST.getlist("children"))
        found = {t.number: t for t in Ticket.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            # Worded as the service words a ticket the agent may not see: the same answer.
            form.add_error("tickets", f"There is no incident {missing[0]} that you can see.")
        else:
            try:
                attached = major_incident_attach(major, list(found.values()), actor=person)
            except (MajorIncidentError, TicketError) as refused:
                _show(form, refused, "tickets")
            else:
                messages.success(request, f"Attached {len(attached)} report(s).")
                return redirect("workspace:major_incident", pk=major.pk)
    return _page(request, person, major, {"attach": form}, status=400)


@login_required
@require_POST
def major_set_scope(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    form = ScopeForm(request.POST)
    if form.is_valid():
        try:
            major_incident_set_all_users(
                major, actor=person, all_users=form.cleaned_data["all_users"]
            )
        except MajorIncidentError as refused:
            _show(form, refused, "all_users")
        else:
            return redirect("workspace:major_incident", pk=major.pk)
    return _page(request, person, major, {"scope_form": form}, status=400)


@login_required
@require_POST
def major_update(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            communication = major_incident_update(
                major,
                actor=person,
                stage=data["stage"],
                message=data["message"],
                audiences=data["audiences"],
                partner_lists=data["partner_lists"],
                internal=data["internal"],
            )
        except MajorIncidentError as refused:
            _show(form, refused, "message")
        else:
            reached = sum(send.recipient_count for send in communication.sends.all())
            messages.success(request, f"Update sent ({reached} recipient(s) in all).")
            return redirect("workspace:major_incident", pk=major.pk)
    return _page(request, person, major, {"update": form}, status=400)


@login_required
@require_POST
def major_correct(request: HttpRequest, pk: int, communication: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    original = Communication.objects.filter(pk=communication, major_incident=major).first()
    if original is None:
        raise Http404
    form = CorrectForm(request.POST)
    if form.is_valid():
        try:
            major_incident_correct(
                original,
                actor=person,
                message=form.cleaned_data["message"],
                withdraw=form.cleaned_data["withdraw"],
            )
        except MajorIncidentError as refused:
            _show(form, refused, "message")
        else:
            said = "withdrawn" if form.cleaned_data["withdraw"] else "corrected"
            messages.success(request, f"Update {said} everywhere it went.")
            return redirect("workspace:major_incident", pk=major.pk)
    return _page(request, person, major, {"correct": form}, status=400)


@login_required
@require_POST
def major_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            major_incident_resolve(
                major,
                actor=person,
                message=data["message"],
                audiences=data["audiences"],
                partner_lists=data["partner_lists"],
            )
        except (MajorIncidentError, TicketError, StatusError) as refused:
            _show(form, refused, "message")
        else:
            messages.success(request, f"{major.ticket.number} and its reports are resolved.")
            return redirect("workspace:major_incident", pk=major.pk)
    return _page(request, person, major, {"resolve": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def major_review_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    major = _major_or_404(pk)
    form = RootCauseForm(request.POST or None, initial={"root_cause": major.root_cause})
    if request.method == "POST" and form.is_valid():
        try:
            major_incident_record_root_cause(
                major,
                actor=person,
                root_cause=form.cleaned_data["root_cause"],
                open_problem=form.cleaned_data["open_problem"],
            )
        except (MajorIncidentError, TicketError) as refused:
            _show(form, refused, "root_cause")
        else:
            messages.success(request, "Root cause recorded.")
            return redirect("workspace:major_review", pk=major.pk)
    context = {"review": major_review(major), "major": major, "form": form}
    return render(
        request, "workspace/major_review.html", context, status=400 if form.is_bound else 200
    )
