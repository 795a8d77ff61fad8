"""The agents' chat desk: availability, the waiting chats, and the chats an agent holds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from servicedesk.chat.errors import ChatError
from servicedesk.chat.models import ChatSession
from servicedesk.chat.selectors import (
    agent_status,
    chat_for,
    chats_held_by,
    events_after,
    open_tickets_of,
    open_tickets_of_each,
    status_payload,
    waiting_chats_for,
)
from servicedesk.chat.services import (
    chat_accept,
    chat_attach,
    chat_availability_set,
    chat_end,
    chat_to_ticket,
    chat_transfer,
)
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.knowledge.selectors import articles_matching
from servicedesk.tickets.access import visible_people
from servicedesk.workspace.selectors import canned_responses_for
from servicedesk.workspace.views.common import staff_person


def _waiting_context(agent: Person) -> dict[str, object]:
    waiting = waiting_chats_for(agent)
    tickets = open_tickets_of_each([chat.requester for chat in waiting], agent)
    return {
        "waiting": [(chat, tickets[chat.requester_id]) for chat in waiting],
        "waiting_count": len(waiting),
    }


@login_required
def chat_desk(request: HttpRequest) -> HttpResponse:
    agent = staff_person(request)
    return render(
        request,
        "workspace/chat_desk.html",
        {
            "status": agent_status(agent),
            "held": chats_held_by(agent),
            **_waiting_context(agent),
        },
    )


@login_required
def chat_waiting(request: HttpRequest) -> HttpResponse:
    """The waiting list alone, which the desk's stream asks for when it changes."""
    agent = staff_person(request)
    return render(request, "workspace/_chat_waiting.html", _waiting_context(agent))


@login_required
@require_POST
def chat_availability(request: HttpRequest) -> HttpResponse:
    agent = staff_person(request)
    chat_availability_set(agent=agent, available=request.POST.get("available") == "1")
    return redirect("workspace:chat_desk")


def _chat(request: HttpRequest, pk: int) -> tuple[Person, ChatSession]:
    agent = staff_person(request)
    try:
        return agent, chat_for(agent, pk)
    except ChatSession.DoesNotExist as missing:
        raise Http404 from missing


@login_required
@require_POST
def chat_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    agent, chat = _chat(request, pk)
    try:
        chat_accept(chat, agent=agent)
    except ChatError as refused:
        messages.error(request, refused.message)
        return redirect("workspace:chat_desk")
    return redirect("workspace:chat", chat.pk)


def _knowledge_suggestions(request: HttpRequest, chat: ChatSession) -> list[tuple[str, str]]:
    said = chat.events.filter(author=chat.requester).values_list("body", flat=True)[:5]
    asked = " ".join([chat.topic, *said])
    return [
        (article.title, request.build_absolute_uri(reverse("portal:kb_article", args=[article.pk])))
        for article in articles_matching(asked)
    ]


@login_required
def chat_view(request: HttpRequest, pk: int) -> HttpResponse:
    agent, chat = _chat(request, pk)
    lines = events_after(chat.pk, 0)
    mine = chat.agent_id == agent.pk
    return render(
        request,
        "workspace/chat.html",
        {
            "chat": chat,
            "lines": lines,
            "after": lines[-1].pk if lines else 0,
            "status": status_payload(chat),
            "mine": mine,
            "open_tickets": open_tickets_of(chat.requester, agent),
            "canned": canned_responses_for(agent) if mine else [],
            "articles": _knowledge_suggestions(request, chat) if mine else [],
            "colleagues": visible_people(agent).filter(role__in=_staff_roles()).exclude(pk=agent.pk)
            if mine
            else [],
            "groups": SupportGroup.objects.filter(is_active=True) if mine else [],
        },
    )


def _staff_roles() -> list[str]:
    from servicedesk.directory.choices import STAFF_ROLES

    return list(STAFF_ROLES)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agent, chat = _chat(request, pk)
    try:
        if action == "transfer":
            _transfer(request, agent, chat)
            return redirect("workspace:chat_desk")
        if action == "ticket":
            chat_to_ticket(
                chat, agent=agent, short_description=request.POST.get("short_description", "")
            )
        elif action == "attach":
            chat_attach(chat, agent=agent, number=request.POST.get("number", ""))
        elif action == "end":
            chat_end(chat, actor=agent)
    except ChatError as refused:
        messages.error(request, refused.message)
    return redirect("workspace:chat", chat.pk)


def _transfer(request: HttpRequest, agent: Person, chat: ChatSession) -> None:
    to_agent = visible_people(agent).filter(pk=request.POST.get("agent") or 0).first()
    to_group = SupportGroup.objects.filter(pk=request.POST.get("group") or 0).first()
    chat_transfer(chat, actor=agent, to_agent=to_agent, to_group=None if to_agent else to_group)


@login_required
@require_POST
def chat_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("transfer", "ticket", "attach", "end"):
        raise Http404
    return _act(request, pk, action)
