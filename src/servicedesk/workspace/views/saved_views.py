"""An agent's saved views: save the queue's current filters under a name, open, rename, delete.

Someone else's view is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from servicedesk.directory.models import Person
from servicedesk.tickets.queues import Queue
from servicedesk.workspace import services
from servicedesk.workspace.errors import WorkspaceError
from servicedesk.workspace.forms import RenameViewForm, SaveViewForm
from servicedesk.workspace.models import SavedView
from servicedesk.workspace.selectors import VIEW_PARAMETERS, saved_view_of, view_query
from servicedesk.workspace.views.common import staff_person
from servicedesk.workspace.views.queues import queue_page


def _mine_or_404(person: Person, pk: int) -> SavedView:
    try:
        return saved_view_of(person, pk)
    except SavedView.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_GET
def saved_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The view's own filters, unless the agent is adjusting them here (then what they chose)."""
    person = staff_person(request)
    view = _mine_or_404(person, pk)
    adjusting = any(name in request.GET for name in VIEW_PARAMETERS)
    params = (request.GET if adjusting else QueryDict(view.query)).copy()
    if "page" in request.GET:
        params["page"] = request.GET["page"]
    return queue_page(request, person, Queue(view.queue), params, saved=view)


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    form = SaveViewForm(request.POST, auto_id="save-view-%s")
    queue_name = request.POST.get("queue", "")
    if queue_name not in {known.value for known in Queue}:
        raise Http404
    params = QueryDict(request.POST.get("query", ""))
    if form.is_valid():
        try:
            view = services.saved_view_create(
                person,
                name=form.cleaned_data["name"],
                queue=queue_name,
                query=view_query(params),
            )
        except WorkspaceError as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, f"Saved as “{view.name}”.")
            return redirect("workspace:saved_view", pk=view.pk)
    return queue_page(request, person, Queue(queue_name), params, save_form=form, status=400)


@login_required
@require_POST
def saved_view_rename(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    view = _mine_or_404(person, pk)
    form = RenameViewForm(request.POST, auto_id="rename-view-%s")
    if form.is_valid():
        try:
            services.saved_view_rename(view, owner=person, name=form.cleaned_data["name"])
        except WorkspaceError as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, f"Renamed to “{view.name}”.")
            return redirect("workspace:saved_view", pk=view.pk)
    view.refresh_from_db()
    return queue_page(
        request,
        person,
        Queue(view.queue),
        QueryDict(view.query),
        saved=view,
        rename_form=form,
        status=400,
    )


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    view = _mine_or_404(person, pk)
    services.saved_view_delete(view, owner=person)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("workspace:queue", name=view.queue)
