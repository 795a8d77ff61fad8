"""Reads for the chat pages, the stream and the API; every list starts from `visible_chats`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from servicedesk.chat.choices import ChatEventKind, ChatState
from servicedesk.chat.models import AgentChatStatus, ChatEvent, ChatSession
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.chat_clock import desk_open
from servicedesk.tickets.access import visible_chats, visible_tickets
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import my_tickets
from servicedesk.tickets.workflow import OPEN_STATES

EVENTS_PER_READ = 200


def chat_for(viewer: Person, pk: int) -> ChatSession:
    """The chat if the viewer may read it; `ChatSession.DoesNotExist` otherwise (a 404)."""
    return visible_chats(viewer).select_related("requester", "agent", "ticket", "group").get(pk=pk)


@dataclass(frozen=True)
class DeskAvailability:
    open_now: bool
    agents_available: int
    waiting: int

    @property
    def answering(self) -> bool:
        return self.open_now and self.agents_available > 0


def desk_availability() -> DeskAvailability:
    """Within business hours, and how many agents take chats right now."""
    return DeskAvailability(
        open_now=desk_open(timezone.now()),
        agents_available=AgentChatStatus.objects.filter(
            available=True, agent__is_active=True
        ).count(),
        waiting=ChatSession.objects.filter(state=ChatState.WAITING).count(),
    )


def queue_position(chat: ChatSession) -> int | None:
    """1 for the next chat to be taken; None once it is not waiting."""
    if chat.state != ChatState.WAITING:
        return None
    ahead = ChatSession.objects.filter(state=ChatState.WAITING).filter(
        Q(created_at__lt=chat.created_at) | Q(created_at=chat.created_at, pk__lt=chat.pk)
    )
    return ahead.count() + 1


def events_after(chat_id: int, after: int) -> list[ChatEvent]:
    return list(
        ChatEvent.objects.filter(session_id=chat_id, id__gt=after)
        .select_related("author")
        .order_by("id")[:EVENTS_PER_READ]
    )


def last_event_id(chat: ChatSession) -> int:
    return chat.events.order_by("-id").values_list("id", flat=True).first() or 0


def event_payload(event: ChatEvent, chat: ChatSession) -> dict[str, Any]:
    """What a stream or the API says of one line (the page renders it as text, never HTML)."""
    side = "employee" if event.author_id == chat.requester_id else "desk"
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_display": event.get_kind_display(),
        "side": side,
        "author": str(event.author) if event.author else "",
        "body": event.body,
        "file_name": event.file_name,
        "file_url": (reverse("chat:file", args=[event.pk]) if event.file_name else ""),
        "at": event.created_at.isoformat(),
        "time": timezone.localtime(event.created_at).strftime("%H:%M"),
    }


def status_payload(chat: ChatSession) -> dict[str, Any]:
    return {
        "state": chat.state,
        "position": queue_position(chat),
        "agent": str(chat.agent) if chat.agent else "",
        "requester_left": chat.requester_left_at is not None,
        "ticket": chat.ticket.number if chat.ticket else "",
    }


def transcript_text(chat: ChatSession, after: int = 0) -> str:
    """The chat as plain lines, "[14:02] Name: text", for the ticket's comment."""
    lines = []
    for event in chat.events.filter(id__gt=after).select_related("author").order_by("id"):
        stamp = timezone.localtime(event.created_at).strftime("%H:%M")
        who = str(event.author) if event.author else ""
        if event.kind == ChatEventKind.MESSAGE:
            lines.append(f"[{stamp}] {who}: {event.body}")
        elif event.kind == ChatEventKind.FILE:
            lines.append(f"[{stamp}] {who} sent {event.file_name}. {event.body}".rstrip())
        elif event.kind in (ChatEventKind.ACCEPTED, ChatEventKind.LEFT, ChatEventKind.ENDED):
            lines.append(f"[{stamp}] {who}: {event.get_kind_display().lower()}")
    return "\n".join(lines)


def agent_groups(agent: Person) -> QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(Q(members=agent) | Q(lead=agent)).distinct()


def waiting_chats_for(agent: Person) -> list[ChatSession]:
    """Chats waiting that the agent may take, oldest first: those for no group in particular
    and those transferred to one of the agent's groups."""
    return list(
        visible_chats(agent)
        .filter(state=ChatState.WAITING)
        .filter(Q(group__isnull=True) | Q(group__in=agent_groups(agent)))
        .select_related("requester__agency", "ticket", "group")
        .order_by("created_at", "pk")
    )


def chats_held_by(agent: Person) -> list[ChatSession]:
    return list(
        ChatSession.objects.filter(agent=agent, state=ChatState.ACTIVE)
        .select_related("requester", "ticket")
        .order_by("accepted_at")
    )


def open_tickets_of(person: Person, viewer: Person, limit: int = 5) -> list[Ticket]:
    """The employee's open tickets that the viewing agent may also know."""
    theirs = my_tickets(person).filter(state__in=OPEN_STATES)
    return list(theirs.filter(pk__in=visible_tickets(viewer).values("pk"))[:limit])


def open_tickets_of_each(
    people: list[Person], viewer: Person, limit: int = 5
) -> dict[int, list[Ticket]]:
    """`open_tickets_of` for many people at once (the desk's waiting list), in two queries
    however many: who follows which open ticket, then those tickets the viewer may know."""
    ids = {person.pk for person in people}
    open_now = {"state__in": OPEN_STATES}
    requested = Ticket.objects.filter(requester_id__in=ids, **open_now).values_list(
        "requester_id", "pk"
    )
    filed = Ticket.objects.filter(requested_by_id__in=ids, **open_now).values_list(
        "requested_by_id", "pk"
    )
    affected = Ticket.affected_people.through.objects.filter(
        person_id__in=ids, ticket__state__in=OPEN_STATES
    ).values_list("person_id", "ticket_id")
    followers: dict[int, set[int]] = {}
    for person_id, ticket_id in requested.order_by().union(filed.order_by(), affected.order_by()):
        followers.setdefault(ticket_id, set()).add(person_id)
    found: dict[int, list[Ticket]] = {pk: [] for pk in ids}
    if not followers:
        return found
    newest_first = visible_tickets(viewer).filter(pk__in=followers).order_by("-created_at", "-pk")
    for ticket in newest_first:
        for person_id in followers[ticket.pk]:
            if len(found[person_id]) < limit:
                found[person_id].append(ticket)
    return found


def agent_status(agent: Person) -> AgentChatStatus:
    return AgentChatStatus.objects.filter(agent=agent).first() or AgentChatStatus(agent=agent)


def chats_search(viewer: Person, text: str = "") -> QuerySet[ChatSession]:
    """The viewer's chats, newest first; with `text`, those whose transcript contains it."""
    chats = visible_chats(viewer).select_related("requester", "agent", "ticket")
    if text.strip():
        matching = ChatEvent.objects.filter(body__icontains=text.strip()).values("session_id")
        chats = chats.filter(pk__in=matching)
    return chats.order_by("-created_at", "-pk")
