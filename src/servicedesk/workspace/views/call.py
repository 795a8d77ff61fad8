"""Log a call: a phone, walk-in or chat ticket on behalf of a caller, typed without a mouse.

The caller is found by name, username or e-mail (type-ahead); the results are radio buttons, so
arrow keys choose and Tab moves on; Enter in any field files the ticket.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from servicedesk.directory.selectors import people_search, people_visible
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.services import ticket_create
from servicedesk.workspace.forms import CallForm
from servicedesk.workspace.views.common import show_refusal, staff_person


@login_required
@require_GET
def callers(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    query = request.GET.get("q", "")
    return render(
        request,
        "workspace/_callers.html",
        {"callers": people_search(person, query), "query": query, "chosen": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_call(request: HttpRequest) -> HttpResponse:
    person = staff_person(request)
    form = CallForm(request.POST or None)
    form.fields["caller"].queryset = people_visible(person)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_create(
                actor=person,
                kind=TicketKind(data["kind"]),
                requester=data["caller"],
                channel=Channel(data["channel"]),
                short_description=data["short_description"],
                description=data["description"],
                service=data["service"],
                request_type=data["request_type"],
                category=data["category"],
                priority_code=data["priority_code"],
                affected_people=[data["caller"]],
                received_at=data["received_at"],
            )
        except TicketError as refused:
            show_refusal(form, refused, fallback_field="short_description")
        else:
            messages.success(request, f"{ticket.number} logged for {data['caller']}.")
            return redirect("workspace:ticket", number=ticket.number)
    chosen = (
        form.cleaned_data.get("caller") if form.is_bound and hasattr(form, "cleaned_data") else None
    )
    return render(
        request,
        "workspace/call.html",
        {"form": form, "callers": [chosen] if chosen else [], "chosen": chosen},
        status=400 if form.is_bound else 200,
    )
