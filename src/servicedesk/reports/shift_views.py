"""The shift reports' pages: schedules with the note for the next report, a preview, "send now",
what was sent to whom, and the web version each mail links to (thin adapters)."""

from __future__ import annotations

import uuid

import nh3
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from servicedesk.reports.errors import ReportError
from servicedesk.reports.models import ShiftReportSchedule, ShiftReportSend
from servicedesk.reports.shift import shift_report_build
from servicedesk.reports.shift_access import may_read_schedule, may_read_send
from servicedesk.reports.shift_services import (
    shift_report_note_save,
    shift_report_render,
    shift_report_send_now,
)
from servicedesk.reports.views import staff_viewer

HISTORY_SHOWN = 50


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
        label="Information forwarded from application support",
    )


def _schedule(pk: int) -> ShiftReportSchedule:
    return get_object_or_404(
        ShiftReportSchedule.objects.select_related("calendar", "distribution_list", "viewer"),
        pk=pk,
    )


def _note_form(schedule: ShiftReportSchedule) -> NoteForm:
    return NoteForm(initial={"note": schedule.note}, prefix=str(schedule.pk))


@login_required
@require_GET
def shift_list(request: HttpRequest) -> HttpResponse:
    viewer = staff_viewer(request)
    schedules = list(
        ShiftReportSchedule.objects.select_related("distribution_list", "viewer", "note_by")
    )
    readable = [s.pk for s in schedules if may_read_schedule(viewer, s)]
    sends = ShiftReportSend.objects.filter(schedule_id__in=readable).select_related(
        "schedule", "sent_by"
    )[:HISTORY_SHOWN]
    return render(
        request,
        "reports/shift_list.html",
        {
            "schedules": [
                (
                    s,
                    may_read_schedule(viewer, s),
                    NoteForm(initial={"note": s.note}, prefix=str(s.pk)),
                )
                for s in schedules
            ],
            "sends": sends,
            "may_write_note": viewer.is_lead,
        },
    )


@login_required
@require_POST
def shift_note(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = staff_viewer(request)
    schedule = _schedule(pk)
    form = NoteForm(request.POST, prefix=str(pk))
    if form.is_valid():
        try:
            shift_report_note_save(schedule, actor=viewer, note=form.cleaned_data["note"])
        except ReportError as refused:
            messages.error(request, refused.message)
        else:
            messages.info(request, f"The note will go with the next {schedule.name}.")
    else:
        messages.error(request, "; ".join(str(error) for error in form.errors.get("note", [])))
    return redirect("reports:shift_list")


@login_required
@require_GET
def shift_preview(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = staff_viewer(request)
    schedule = _schedule(pk)
    if not may_read_schedule(viewer, schedule):
        raise Http404
    report = shift_report_build(schedule)
    rendered = shift_report_render(report, web_url="")
    return render(
        request,
        "reports/shift_preview.html",
        {
            "schedule": schedule,
            "subject": rendered.subject,
            "body": mark_safe(nh3.clean(rendered.html)),
            "recipients": schedule.distribution_list,
            "may_send": viewer.is_lead,
        },
    )


@login_required
@require_POST
def shift_send(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = staff_viewer(request)
    schedule = _schedule(pk)
    if not may_read_schedule(viewer, schedule):
        raise Http404
    try:
        sent = shift_report_send_now(schedule, actor=viewer)
    except ReportError as refused:
        messages.error(request, refused.message)
        return redirect("reports:shift_preview", pk=pk)
    messages.info(request, f"Sent to {len(sent.recipients)} addresses.")
    return redirect("reports:shift_sent", key=sent.key)


@login_required
@require_GET
def shift_sent(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The web version of one sent report, as it went."""
    viewer = staff_viewer(request)
    sent = get_object_or_404(ShiftReportSend.objects.select_related("schedule", "sent_by"), key=key)
    if not may_read_send(viewer, sent):
        raise Http404
    return render(
        request,
        "reports/shift_sent.html",
        {"sent": sent, "body": mark_safe(nh3.clean(sent.body_html))},
    )
