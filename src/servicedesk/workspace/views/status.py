"""System status for staff: the board, declare an outage, schedule maintenance, post updates,
resolve. Each form calls one `outages.services` function; refusals land next to their field."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.outages.choices import StatusKind, UpdateStage
from servicedesk.outages.errors import StatusError, StatusErrorCode
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.selectors import status_board, status_entry_get
from servicedesk.outages.services import (
    maintenance_schedule,
    status_entry_declare,
    status_entry_resolve,
    status_entry_update,
)
from servicedesk.workspace.status_forms import (
    DeclareForm,
    MaintenanceForm,
    ResolveForm,
    UpdateForm,
)
from servicedesk.workspace.views.common import staff_person


def _show_refusal(form: forms.Form, error: StatusError, fallback_field: str) -> None:
    field = error.field if error.field in form.fields else fallback_field
    form.add_error(field, error.message)


def _resolved_meanwhile(request: HttpRequest, entry: StatusEntry) -> HttpResponse:
    """Someone resolved it while this agent typed: the page has no forms any more, so say it
    at the top of the page instead of next to a field that is gone."""
    messages.error(request, f"“{entry.title}” was already resolved; nothing was changed.")
    return redirect("workspace:status_entry", pk=entry.pk)


def _entry_or_404(pk: int) -> StatusEntry:
    try:
        return status_entry_get(pk)
    except StatusEntry.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    staff_person(request)
    return render(request, "workspace/status_list.html", {"board": status_board()})


@login_required
@require_http_methods(["GET", "POST"])
def status_declare(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    form = DeclareForm(request.POST or None, viewer=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = status_entry_declare(
                actor=person,
                service=data["service"],
                kind=StatusKind(data["kind"]),
                title=data["title"],
                message=data["message"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                incident=data["incident_number"],
            )
        except StatusError as refused:
            _show_refusal(form, refused, "title")
        else:
            messages.success(request, f"Declared: {entry.title}. Employees see it now.")
            return redirect("workspace:status_entry", pk=entry.pk)
    return render(
        request,
        "workspace/status_form.html",
        {"form": form, "heading": "Declare an outage or degradation", "submit": "Declare"},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_maintenance(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    form = MaintenanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = maintenance_schedule(
                actor=person,
                service=data["service"],
                title=data["title"],
                message=data["message"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except StatusError as refused:
            _show_refusal(form, refused, "title")
        else:
            messages.success(request, f"Maintenance scheduled: {entry.title}.")
            return redirect("workspace:status_entry", pk=entry.pk)
    return render(
        request,
        "workspace/status_form.html",
        {"form": form, "heading": "Schedule maintenance", "submit": "Schedule"},
        status=400 if form.is_bound else 200,
    )


def _entry_page(
    request: HttpRequest,
    entry: StatusEntry,
    update_form: UpdateForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "workspace/status_entry.html",
        {
            "entry": entry,
            "update_form": update_form or UpdateForm(initial={"stage": UpdateStage.IDENTIFIED}),
            "resolve_form": resolve_form or ResolveForm(),
        },
        status=status,
    )


@login_required
@require_GET
def status_entry(request: HttpRequest, pk: int) -> HttpResponse:
    staff_person(request)
    return _entry_page(request, _entry_or_404(pk))


@login_required
@require_POST
def status_update(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    entry = _entry_or_404(pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            status_entry_update(
                entry,
                actor=person,
                stage=UpdateStage(form.cleaned_data["stage"]),
                message=form.cleaned_data["message"],
            )
        except StatusError as refused:
            if refused.code == StatusErrorCode.ALREADY_RESOLVED:
                return _resolved_meanwhile(request, entry)
            _show_refusal(form, refused, "message")
        else:
            messages.success(request, "Update posted.")
            return redirect("workspace:status_entry", pk=entry.pk)
    return _entry_page(request, entry, update_form=form, status=400)


@login_required
@require_POST
def status_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    entry = _entry_or_404(pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            status_entry_resolve(entry, actor=person, message=form.cleaned_data["message"])
        except StatusError as refused:
            if refused.code == StatusErrorCode.ALREADY_RESOLVED:
                return _resolved_meanwhile(request, entry)
            _show_refusal(form, refused, "message")
        else:
            messages.success(request, f"Resolved: {entry.title}.")
            return redirect("workspace:status_entry", pk=entry.pk)
    return _entry_page(request, entry, resolve_form=form, status=400)
