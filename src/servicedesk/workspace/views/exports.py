"""A queue or a saved view as CSV or XLSX: the same tickets, filters and order as its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from django.views.decorators.http import require_GET

from servicedesk.reports.export_responses import export_response
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.workspace.forms import QueueFilterForm
from servicedesk.workspace.models import SavedView
from servicedesk.workspace.selectors import VIEW_PARAMETERS, queue_filters, saved_view_of
from servicedesk.workspace.views.common import staff_person


@login_required
@require_GET
def queue_export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    person = staff_person(request)
    try:
        chosen = Queue(name)
    except ValueError as unknown:
        raise Http404 from unknown
    filters, sort = queue_filters(QueueFilterForm(request.GET))
    return export_response(queue_tickets(person, chosen, filters, sort), fmt, f"queue-{name}")


@login_required
@require_GET
def saved_view_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    person = staff_person(request)
    try:
        view: SavedView = saved_view_of(person, pk)
    except SavedView.DoesNotExist as missing:
        raise Http404 from missing
    adjusting = any(name in request.GET for name in VIEW_PARAMETERS)
    params = request.GET if adjusting else QueryDict(view.query)
    filters, sort = queue_filters(QueueFilterForm(params))
    tickets = queue_tickets(person, Queue(view.queue), filters, sort)
    return export_response(tickets, fmt, f"view-{pk}")
