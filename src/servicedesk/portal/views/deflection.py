"""Deflection while typing a short description: articles that may answer it, and known issues
the employee can join instead of filing ("Is this your issue?").

The suggestions arrive by htmx as the employee types; without JavaScript the form still files.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from servicedesk.knowledge.selectors import articles_matching
from servicedesk.outages.deflection import deflection_for
from servicedesk.portal.views.common import signed_in_person
from servicedesk.tickets.access import TicketAction, tickets_for
from servicedesk.tickets.limits import SHORT_DESCRIPTION_MAX
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_join_as_affected

ARTICLES_SHOWN = 5


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """The partial under the short description; empty when nothing matches."""
    text = request.GET.get("short_description", "")[:SHORT_DESCRIPTION_MAX]
    person = signed_in_person(request)
    return render(
        request,
        "portal/_deflection.html",
        {
            "articles": articles_matching(text, limit=ARTICLES_SHOWN),
            "deflection": deflection_for(person, text),
        },
    )


@login_required
@require_POST
def join(request: HttpRequest, number: str) -> HttpResponse:
    """The "Add me as affected" button: only an incident the suggestions would offer is
    accepted; anything else is a 404, like a ticket that does not exist."""
    person = signed_in_person(request)
    try:
        ticket = tickets_for(person, TicketAction.JOIN).get(number=number)
    except Ticket.DoesNotExist as missing:
        raise Http404 from missing
    ticket_join_as_affected(ticket, person=person)
    messages.success(
        request,
        f"You are listed as affected by {ticket.number}. You will hear of every change; "
        "no need to file a ticket of your own.",
    )
    target = reverse("portal:ticket", kwargs={"number": ticket.number})
    # An htmx POST follows a plain redirect inside the XHR; this makes the browser go there.
    if request.headers.get("HX-Request") == "true":
        return HttpResponseClientRedirect(target)
    return redirect(target)
