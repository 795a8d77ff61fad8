"""The workspace's first page, the queues, and the live counts in the nav."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.forms.models import ModelChoiceIterator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from servicedesk.core.editions import reads_configuration
from servicedesk.directory.models import Person
from servicedesk.directory.oncall import on_call_board
from servicedesk.directory.selectors import support_groups_of
from servicedesk.mail.review import held_count
from servicedesk.outages.major_selectors import open_major_incidents
from servicedesk.tickets.discipline import next_ticket_for
from servicedesk.tickets.queue_pages import queue_paginator
from servicedesk.tickets.queues import (
    HOME_QUEUES,
    QUEUE_TITLES,
    Queue,
    queue_counts,
)
from servicedesk.tickets.selectors import assigned_open, satisfaction_for_staff
from servicedesk.workspace.forms import QueueFilterForm, RenameViewForm, SaveViewForm
from servicedesk.workspace.models import SavedView
from servicedesk.workspace.nav_counts import (
    NAV_POLL_SECONDS,
    nav_counts_unchanged,
    nav_counts_version,
)
from servicedesk.workspace.queue_review import new_queue_review_record, new_queue_review_status
from servicedesk.workspace.selectors import queue_filters, saved_view_counts, view_query
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
            "counts": [
                (queue, QUEUE_TITLES[queue], count)
                for queue, count in queue_counts(user, queues=HOME_QUEUES).items()
            ],
            "groups": support_groups_of(user),
            "my_open": assigned_open(user),
            "satisfaction": satisfaction_for_staff(user),
            "on_call": on_call_board(),
            "open_majors": list(open_major_incidents()),
        },
    )


def _choices(form: QueueFilterForm, name: str) -> list[tuple[str, str]]:
    """The filter's list as the bulk actions' list: the same rows, read once (or kept)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    listed = field.choices
    assert isinstance(listed, ModelChoiceIterator)
    return [(str(value), str(label)) for value, label in listed]


def queue_page(
    request: HttpRequest,
    user: Person,
    chosen: Queue,
    params: QueryDict,
    *,
    saved: SavedView | None = None,
    save_form: SaveViewForm | None = None,
    rename_form: RenameViewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """A queue (or a saved view of one) filtered by `params`; shared with `views.saved_views`."""
    form = QueueFilterForm(params)
    filters, sort = queue_filters(form)
    page = queue_paginator(user, chosen, filters, sort, PAGE_SIZE).get_page(params.get("page"))
    keep = params.copy()
    keep.pop("page", None)
    context = {
        "queue": chosen,
        "title": saved.name if saved else QUEUE_TITLES[chosen],
        "queues": QUEUE_TITLES,
        "form": form,
        "page": page,
        "sort": sort,
        "query_without_page": keep.urlencode(),
        # Iterated once each here: a template loop (or list()) over a model field's choices
        # asks for their length first, which costs a COUNT query.
        "bulk_groups": _choices(form, "group"),
        "bulk_people": _choices(form, "assignee"),
        "saved_view": saved,
        "save_form": save_form
        or SaveViewForm(
            initial={"queue": chosen.value, "query": view_query(params)}, auto_id="save-view-%s"
        ),
        "rename_form": rename_form
        or (
            RenameViewForm(initial={"name": saved.name}, auto_id="rename-view-%s")
            if saved
            else None
        ),
    }
    # django-htmx's middleware sets request.htmx; the header is what it reads (and is typed).
    is_htmx = request.headers.get("HX-Request") == "true"
    # The school district's odd-hour review banner; an htmx refresh replaces only the table under
    # it.
    context["review"] = (
        new_queue_review_status()
        if chosen == Queue.UNCATEGORIZED and not saved and not is_htmx
        else None
    )
    template = "workspace/_queue_table.html" if is_htmx else "workspace/queue.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
@reads_configuration  # the filters' lists of groups, staff and services, kept
def queue(request: HttpRequest, name: str) -> HttpResponse:
    user = staff_person(request)
    try:
        chosen = Queue(name)
    except ValueError as unknown:
        raise Http404 from unknown
    return queue_page(request, user, chosen, request.GET)


@login_required
@require_POST
def new_queue_reviewed(request: HttpRequest) -> HttpResponse:
    """The school district's SLA procedure: "Mark queue reviewed" on the uncategorized queue
    records who reviewed it, and when."""
    user = staff_person(request)
    review = new_queue_review_record(user)
    messages.info(request, f"Marked the queue reviewed: {review.waiting} waiting.")
    return redirect("workspace:queue", name=Queue.UNCATEGORIZED.value)


@require_GET
def nav_counts(request: HttpRequest) -> HttpResponse:
    """The polled badge list in the nav. Unchanged since the caller's copy: 204 (htmx keeps
    what it shows) for the session and one look-up (see `workspace.nav_counts`); else every
    queue's size, one query, the saved views' and, for those who review held mail, the mail
    waiting for them."""
    if nav_counts_unchanged(request.GET.get("since", ""), request.session.get(SESSION_KEY)):
        return HttpResponse(status=204)
    return _nav_counts(request)


@login_required
def _nav_counts(request: HttpRequest) -> HttpResponse:
    user = staff_person(request)
    # Before counting: a change committed meanwhile makes the next poll count again.
    version = nav_counts_version(str(user.pk))
    counts = queue_counts(user)
    return render(
        request,
        "workspace/_nav_counts.html",
        {
            "counts": [(queue, QUEUE_TITLES[queue], counts[queue]) for queue in Queue],
            "views": saved_view_counts(user),
            "held_mail": held_count(user),
            "nav_since": version,
            "nav_poll_seconds": NAV_POLL_SECONDS,
        },
    )


@login_required
@require_GET
def next_ticket(request: HttpRequest) -> HttpResponse:
    """The school district's SLA procedure: the next ticket to work, overdue first (see
    tickets.discipline)."""
    user = staff_person(request)
    found = next_ticket_for(user)
    if found is None:
        return redirect("workspace:queue", name=Queue.MY_GROUPS.value)
    return redirect("workspace:ticket", number=found.number)
