"""HTTP responses for exports, shared by every page that offers one (reports, queues, views)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.reports import export_jobs
from servicedesk.reports.export_jobs import export_start
from servicedesk.reports.exports import csv_lines, export_rows, xlsx_file
from servicedesk.tickets.models import Ticket

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    tickets: QuerySet[Ticket],
    fmt: str,
    name: str,
    *,
    owner: Person,
    source: str,
    params: QueryDict,
) -> HttpResponseBase:
    """The tickets as a download named `<name>-<date>.<fmt>`; an unknown format is a 404.

    Over `BACKGROUND_OVER` rows the worker writes the file (`source` names the builder that
    picks the same tickets again from `params`) and the person is sent to its progress page.
    """
    if fmt not in FORMATS:
        raise Http404
    if tickets.count() > export_jobs.BACKGROUND_OVER:
        job = export_start(owner=owner, source=source, params=params, fmt=fmt, title=name)
        return redirect("reports:export_job", key=job.key)
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    rows = export_rows(tickets)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(rows), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    raise Http404
