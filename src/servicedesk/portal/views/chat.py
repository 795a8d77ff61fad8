"""The employee's side of a live chat: see whether the desk answers, start, talk, end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from servicedesk.chat.errors import ChatError
from servicedesk.chat.models import ChatSession
from servicedesk.chat.selectors import chat_for, desk_availability, events_after, status_payload
from servicedesk.chat.services import chat_end, chat_start
from servicedesk.portal.views.common import signed_in_person
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.models import Ticket


def _ticket_from(request: HttpRequest, number: str) -> Ticket | None:
    if not number:
        return None
    ticket = visible_tickets(signed_in_person(request)).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


@login_required
def chat_start_page(request: HttpRequest) -> HttpResponse:
    """GET: is the desk answering, how many wait; POST: start (from a ticket, about it)."""
    person = signed_in_person(request)
    number = request.POST.get("ticket", request.GET.get("ticket", ""))
    ticket = _ticket_from(request, number)
    availability = desk_availability()
    error = ""
    if request.method == "POST" and availability.answering:
        try:
            chat = chat_start(requester=person, ticket=ticket, topic=request.POST.get("topic", ""))
        except ChatError as refused:
            error = refused.message
        else:
            return redirect("portal:chat", chat.pk)
    return render(
        request,
        "portal/chat_start.html",
        {"availability": availability, "ticket": ticket, "error": error},
    )


@login_required
def chat_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        chat = chat_for(signed_in_person(request), pk)
    except ChatSession.DoesNotExist as missing:
        raise Http404 from missing
    if chat.requester_id != request.user.pk:
        raise Http404
    lines = events_after(chat.pk, 0)
    return render(
        request,
        "portal/chat.html",
        {
            "chat": chat,
            "lines": lines,
            "after": lines[-1].pk if lines else 0,
            "status": status_payload(chat),
        },
    )


@login_required
@require_POST
def chat_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        chat = chat_for(signed_in_person(request), pk)
    except ChatSession.DoesNotExist as missing:
        raise Http404 from missing
    chat_end(chat, actor=signed_in_person(request))
    return redirect("portal:chat", chat.pk)
