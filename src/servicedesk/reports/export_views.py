"""A background export's page (its progress, polled by htmx) and its download."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from servicedesk.core.downloads import file_download
from servicedesk.reports.export_responses import XLSX_TYPE
from servicedesk.reports.models import ExportJob, ExportState
from servicedesk.reports.views import staff_viewer


def _own_job(request: HttpRequest, key: uuid.UUID) -> ExportJob:
    """Someone else's export is a 404, exactly like one that does not exist."""
    viewer = staff_viewer(request)
    return get_object_or_404(ExportJob, key=key, owner=viewer)


@login_required
@require_GET
def export_job(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    job = _own_job(request, key)
    template = (
        "reports/_export_progress.html"
        if request.headers.get("HX-Request") == "true"
        else "reports/export_job.html"
    )
    return render(request, template, {"job": job, "finished": job.state in FINISHED})


FINISHED = {ExportState.DONE, ExportState.FAILED}


@login_required
@require_GET
def export_download(request: HttpRequest, key: uuid.UUID) -> FileResponse:
    job = _own_job(request, key)
    if job.state != ExportState.DONE or not job.file:
        raise Http404
    content_type = XLSX_TYPE if job.fmt == "xlsx" else "text/csv; charset=utf-8"
    return file_download(
        job.file,
        filename=f"{job.title}-{job.created_at:%Y-%m-%d}.{job.fmt}",
        content_type=content_type,
    )
