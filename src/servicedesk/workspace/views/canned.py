"""Canned responses: /workspace/canned/ lists the ones an agent may use, with a form for a new
one; the ones they may manage (their own; a group's for its lead; everyone's for admins) open
for editing and deleting. Someone else's personal response is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from servicedesk.directory.models import Person
from servicedesk.workspace import services
from servicedesk.workspace.canned import PLACEHOLDERS
from servicedesk.workspace.errors import WorkspaceError
from servicedesk.workspace.forms import CannedResponseForm
from servicedesk.workspace.models import CannedResponse
from servicedesk.workspace.selectors import (
    canned_response_to_manage,
    canned_responses_for,
    groups_shareable_by,
    may_manage,
    may_share_with_everyone,
)
from servicedesk.workspace.views.common import staff_person


def _audiences(person: Person) -> list[tuple[str, str]]:
    choices = [(services.ONLY_ME, "Only me")]
    choices += [(f"group:{group.pk}", f"Group: {group}") for group in groups_shareable_by(person)]
    if may_share_with_everyone(person):
        choices.append((services.EVERYONE, "Everyone"))
    return choices


def _audience_of(response: CannedResponse) -> str:
    if response.owner_id:
        return services.ONLY_ME
    return f"group:{response.group_id}" if response.group_id else services.EVERYONE


def _form(person: Person, *args: object, **kwargs: object) -> CannedResponseForm:
    return CannedResponseForm(*args, audiences=_audiences(person), **kwargs)


def _render_list(
    request: HttpRequest, person: Person, form: CannedResponseForm, status: int = 200
) -> HttpResponse:
    responses = list(canned_responses_for(person))
    rows = [(response, may_manage(person, response)) for response in responses]
    return render(
        request,
        "workspace/canned_list.html",
        {"rows": rows, "form": form, "placeholders": list(PLACEHOLDERS)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_list(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    if request.method != "POST":
        return _render_list(request, person, _form(person))
    form = _form(person, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.canned_response_create(
                person, title=data["title"], body=data["body"], audience=data["audience"]
            )
        except WorkspaceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, f"Saved “{created.title}”.")
            return redirect("workspace:canned")
    return _render_list(request, person, form, status=400)


def _to_manage(person: Person, pk: int) -> CannedResponse:
    try:
        return canned_response_to_manage(person, pk)
    except CannedResponse.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    response = _to_manage(person, pk)
    if request.method != "POST":
        initial = {
            "title": response.title,
            "body": response.body,
            "audience": _audience_of(response),
        }
        form = _form(person, initial=initial)
        return render(
            request,
            "workspace/canned_edit.html",
            {"response": response, "form": form, "placeholders": list(PLACEHOLDERS)},
        )
    form = _form(person, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.canned_response_update(
                response,
                actor=person,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
            )
        except WorkspaceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, f"Saved “{response.title}”.")
            return redirect("workspace:canned")
    return render(
        request,
        "workspace/canned_edit.html",
        {"response": response, "form": form, "placeholders": list(PLACEHOLDERS)},
        status=400,
    )


@login_required
@require_POST
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = staff_person(request)
    response = _to_manage(person, pk)
    services.canned_response_delete(response, actor=person)
    messages.success(request, f"Deleted “{response.title}”.")
    return redirect("workspace:canned")
