"""The workspace's first page, the queues, and the live counts in the nav."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from servicedesk.tickets.discipline import next_ticket_for
from servicedesk.tickets.queues import (
    DEFAULT_SORT,
    QUEUE_TITLES,
    Queue,
    QueueFilters,
    queue_counts,
    queue_tickets,
)
from servicedesk.tickets.selectors import assigned_open
from servicedesk.tickets.selectors import queue_counts as home_counts
from servicedesk.workspace.forms import QueueFilterForm
from servicedesk.workspace.views.common import staff_person

PAGE_SIZE = 25


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = staff_person(request)
    return render(
        request,
        "workspace/home.html",
        {
            "counts": home_counts(user),
            "groups": list(user.support_groups.all()),
            "my_open": list(assigned_open(user)[:25]),
        },
    )


def _filters(form: QueueFilterForm) -> tuple[QueueFilters, str]:
    if not form.is_valid():
        return QueueFilters(), DEFAULT_SORT
    data = form.cleaned_data
    filters = QueueFilters(
        state=data["state"],
        priority=data["priority"],
        group_id=data["group"].pk if data["group"] else None,
        assignee_id=data["assignee"].pk if data["assignee"] else None,
        service_id=data["service"].pk if data["service"] else None,
        kind=data["kind"],
        text=data["q"],
    )
    return filters, data["sort"] or DEFAULT_SORT


def _choices(form: QueueFilterForm, name: str) -> list[tuple[str, str]]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField) and field.queryset is not None
    rows = [(str(row.pk), str(row)) for row in field.queryset]
    return [("", str(field.empty_label or "")), *rows]


@login_required
@require_GET
def queue(request: HttpRequest, name: str) -> HttpResponse:
    user = staff_person(request)
    try:
        chosen = Queue(name)
    except ValueError as unknown:
        raise Http404 from unknown
    form = QueueFilterForm(request.GET)
    filters, sort = _filters(form)
    tickets = queue_tickets(user, chosen, filters, sort)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    context = {
        "queue": chosen,
        "title": QUEUE_TITLES[chosen],
        "queues": QUEUE_TITLES,
        "form": form,
        "page": page,
        "sort": sort,
        "query_without_page": keep.urlencode(),
        # Iterated once each here: a template loop (or list()) over a model field's choices
        # asks for their length first, which costs a COUNT query.
        "bulk_groups": _choices(form, "group"),
        "bulk_people": _choices(form, "assignee"),
    }
    # django-htmx's middleware sets request.htmx; the header is what it reads (and is typed).
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "workspace/_queue_table.html" if is_htmx else "workspace/queue.html"
    return render(request, template, context)


@login_required
@require_GET
def nav_counts(request: HttpRequest) -> HttpResponse:
    """The polled badge list in the nav: every queue's size, one query."""
    user = staff_person(request)
    counts = queue_counts(user)
    return render(
        request,
        "workspace/_nav_counts.html",
        {"counts": [(queue, QUEUE_TITLES[queue], counts[queue]) for queue in Queue]},
    )


@login_required
@require_GET
def next_ticket(request: HttpRequest) -> HttpResponse:
    """Seed 003: the next ticket to work, overdue first (see tickets.discipline)."""
    user = staff_person(request)
    found = next_ticket_for(user)
    if found is None:
        return redirect("workspace:queue", name=Queue.MY_GROUPS.value)
    return redirect("workspace:ticket", number=found.number)
