"""A queue or a saved view as CSV or XLSX: the same tickets, filters and order as its page.

Long lists are written in the background (`reports.export_jobs`): the builders here pick the
tickets again from the page's query, for the person who asked.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, QueryDict
from django.views.decorators.http import require_GET

from servicedesk.directory.models import Person
from servicedesk.reports.export_responses import export_response
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.workspace.forms import QueueFilterForm
from servicedesk.workspace.models import SavedView
from servicedesk.workspace.selectors import VIEW_PARAMETERS, queue_filters, saved_view_of
from servicedesk.workspace.views.common import staff_person

QUEUE_SOURCE = "workspace.queue"
SAVED_VIEW_SOURCE = "workspace.saved_view"


def queue_export_tickets(person: Person, params: QueryDict) -> QuerySet[Ticket]:
    try:
        chosen = Queue(params.get("queue", ""))
    except ValueError as unknown:
        raise Http404 from unknown
    filters, sort = queue_filters(QueueFilterForm(params))
    return queue_tickets(person, chosen, filters, sort)


def saved_view_export_tickets(person: Person, params: QueryDict) -> QuerySet[Ticket]:
    try:
        view: SavedView = saved_view_of(person, int(params.get("view", "0") or 0))
    except (SavedView.DoesNotExist, ValueError) as missing:
        raise Http404 from missing
    adjusting = any(name in params for name in VIEW_PARAMETERS)
    chosen = params.copy() if adjusting else QueryDict(view.query, mutable=True)
    chosen["queue"] = view.queue
    return queue_export_tickets(person, chosen)


def _with(params: QueryDict, **more: str) -> QueryDict:
    copied = params.copy()
    for name, value in more.items():
        copied[name] = value
    return copied


@login_required
@require_GET
def queue_export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    person = staff_person(request)
    params = _with(request.GET, queue=name)
    return export_response(
        queue_export_tickets(person, params),
        fmt,
        f"queue-{name}",
        owner=person,
        source=QUEUE_SOURCE,
        params=params,
    )


@login_required
@require_GET
def saved_view_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    person = staff_person(request)
    params = _with(request.GET, view=str(pk))
    return export_response(
        saved_view_export_tickets(person, params),
        fmt,
        f"view-{pk}",
        owner=person,
        source=SAVED_VIEW_SOURCE,
        params=params,
    )
