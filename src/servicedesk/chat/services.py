"""Every write to a live chat: start, accept, post, transfer, leave, end, and make it a ticket.

Each function is one transaction; it stores the chat's event first and then announces it
(`live.announce`), which wakes the streams only once the transaction has committed: nobody is
shown a line that was not stored. Who may do what is asked of the access policy
(`tickets.access`: `visible_chats`, `may_join_chat`, `may`).
"""

from __future__ import annotations

import html

import nh3
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from servicedesk.chat import live
from servicedesk.chat.choices import ChatEventKind, ChatState
from servicedesk.chat.errors import ChatError, ChatErrorCode
from servicedesk.chat.models import AgentChatStatus, ChatEvent, ChatSession
from servicedesk.chat.selectors import transcript_text
from servicedesk.core.limits import RateLimited, person_limit_hit
from servicedesk.core.text import without_invisible_controls
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.chat_clock import chat_clock_start, chat_clock_stop
from servicedesk.tickets.access import TicketAction, may, may_join_chat
from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import attachment_add, comment_add, ticket_create

MESSAGE_MAX = 2_000
TOPIC_MAX = 160


def _refuse(code: ChatErrorCode, message: str, field: str | None = None) -> ChatError:
    return ChatError(code, message, field=field)


def _locked(chat: ChatSession) -> ChatSession:
    return ChatSession.objects.select_for_update().get(pk=chat.pk)


def _record(
    chat: ChatSession, kind: ChatEventKind, author: Person | None, body: str = ""
) -> ChatEvent:
    return ChatEvent.objects.create(session=chat, kind=kind, author=author, body=body)


def clean_text(text: str) -> str:
    """Plain text as typed, with any markup and invisible controls taken out (nh3)."""
    return without_invisible_controls(html.unescape(nh3.clean(text, tags=set()))).strip()


@transaction.atomic
def chat_start(*, requester: Person, ticket: Ticket | None = None, topic: str = "") -> ChatSession:
    """An employee asks the desk to chat; from a ticket's page, about that ticket. An open chat
    of the same person about the same thing is returned rather than a second one started."""
    if ticket is not None and not may(requester, TicketAction.REPLY, ticket):
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "You can chat only about your own tickets.")
    ongoing = ChatSession.objects.filter(
        requester=requester, ticket=ticket, state__in=(ChatState.WAITING, ChatState.ACTIVE)
    ).first()
    if ongoing is not None:
        return ongoing
    now = timezone.now()
    clock = chat_clock_start(now)
    chat = ChatSession.objects.create(
        requester=requester,
        agency_id=requester.agency_id,
        ticket=ticket,
        topic=clean_text(topic)[:TOPIC_MAX],
        created_at=now,
        first_response_due_at=clock.due_at,
        first_response_clock=clock.record,
    )
    live.announce(live.DESK)
    return chat


def _active_count(agent: Person) -> int:
    return ChatSession.objects.filter(agent=agent, state=ChatState.ACTIVE).count()


def _check_capacity(agent: Person) -> None:
    status = AgentChatStatus.objects.filter(agent=agent).first()
    limit = status.max_chats if status else AgentChatStatus._meta.get_field("max_chats").default
    if _active_count(agent) >= limit:
        raise _refuse(
            ChatErrorCode.AT_LIMIT,
            f"You already have {limit} chats open; end one before taking another.",
        )


@transaction.atomic
def chat_accept(chat: ChatSession, *, agent: Person) -> ChatSession:
    current = _locked(chat)
    if not may_join_chat(agent, current):
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "This chat is not yours to take.")
    if current.state != ChatState.WAITING:
        raise _refuse(ChatErrorCode.ALREADY_TAKEN, "Someone else took this chat, or it ended.")
    _check_capacity(agent)
    current.state = ChatState.ACTIVE
    current.agent = agent
    current.accepted_at = timezone.now()
    current.save(update_fields=["state", "agent", "accepted_at"])
    _record(current, ChatEventKind.ACCEPTED, agent)
    live.announce(live.chat_topic(current.pk), live.DESK)
    return current


def _check_message(body: str, upload: UploadedFile | None) -> str:
    text = clean_text(body)
    if len(body) > MESSAGE_MAX:
        raise _refuse(
            ChatErrorCode.TOO_LONG,
            f"Keep a message to {MESSAGE_MAX:,} characters (this is {len(body):,}).",
            "body",
        )
    if not text and upload is None:
        raise _refuse(ChatErrorCode.EMPTY_MESSAGE, "Write something before sending.", "body")
    if upload is not None:
        refusal = upload_refusal_from_settings(display_name(upload.name), upload.size or 0)
        if refusal:
            raise _refuse(ChatErrorCode.INVALID_FILE, refusal, "file")
    return text


def _first_answer(chat: ChatSession) -> None:
    now = timezone.now()
    chat.first_response_at = now
    stopped = chat_clock_stop(chat.first_response_clock, now)
    chat.first_response_clock = stopped.record
    chat.save(update_fields=["first_response_at", "first_response_clock"])


@transaction.atomic
def chat_post(
    chat: ChatSession, *, author: Person, body: str = "", upload: UploadedFile | None = None
) -> ChatEvent:
    """A message (or a file with an optional line) from the employee or the chat's agent."""
    if author.pk not in (chat.requester_id, chat.agent_id):
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Only the employee and their agent write here.")
    text = _check_message(body, upload)
    try:
        person_limit_hit("chat.message", author.pk)
    except RateLimited as limited:
        raise _refuse(
            ChatErrorCode.RATE_LIMITED,
            f"That is a lot of messages at once; wait {limited.retry_after} s and send again.",
            "body",
        ) from limited
    current = _locked(chat)
    if current.state == ChatState.ENDED:
        raise _refuse(ChatErrorCode.ENDED, "This chat has ended.", "body")
    event = ChatEvent(session=current, author=author, body=text, kind=ChatEventKind.MESSAGE)
    if upload is not None:
        event.kind = ChatEventKind.FILE
        event.file_name = display_name(upload.name)
        event.file_size = upload.size or 0
        event.file.save(event.file_name, upload, save=False)
    event.save()
    if author.pk == current.agent_id and current.first_response_at is None:
        _first_answer(current)
    live.announce(live.chat_topic(current.pk))
    return event


@transaction.atomic
def chat_transfer(
    chat: ChatSession,
    *,
    actor: Person,
    to_agent: Person | None = None,
    to_group: SupportGroup | None = None,
) -> ChatSession:
    """Hand the chat to a colleague (who takes it at once) or back to a group's waiting list."""
    current = _locked(chat)
    if current.state == ChatState.ENDED or actor.pk != current.agent_id:
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Only the chat's agent can transfer it.")
    if to_agent is not None:
        if not may_join_chat(to_agent, current) or to_agent.pk == actor.pk:
            raise _refuse(
                ChatErrorCode.NOT_PERMITTED, "That colleague cannot take this chat.", "agent"
            )
        _check_capacity(to_agent)
        current.agent = to_agent
        body = str(to_agent)
    elif to_group is not None:
        current.state, current.agent, current.group = ChatState.WAITING, None, to_group
        body = str(to_group)
    else:
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Choose a colleague or a group.", "agent")
    current.save(update_fields=["state", "agent", "group"])
    _record(current, ChatEventKind.TRANSFERRED, actor, body)
    live.announce(live.chat_topic(current.pk), live.DESK)
    return current


def _write_transcript(chat: ChatSession, ticket: Ticket, actor: Person) -> None:
    """The chat's lines since the last transcript, as one public comment of the ticket."""
    last = chat.events.order_by("-id").values_list("id", flat=True).first() or 0
    text = transcript_text(chat, after=chat.transcribed_up_to)
    if text and last > chat.transcribed_up_to:
        comment = comment_add(ticket, actor=actor, body=text, channel=Channel.CHAT)
        for event in chat.events.filter(kind=ChatEventKind.FILE, id__gt=chat.transcribed_up_to):
            with event.file.open("rb") as stored:
                upload = UploadedFile(stored, name=event.file_name, size=event.file_size)
                attachment_add(ticket, actor=actor, upload=upload, comment=comment)
    chat.transcribed_up_to = last
    chat.save(update_fields=["transcribed_up_to"])


@transaction.atomic
def chat_leave(chat: ChatSession, *, requester: Person) -> ChatSession:
    """The employee closed the chat: the agent sees them gone; a chat nobody took ends."""
    current = _locked(chat)
    if requester.pk != current.requester_id or current.requester_left_at is not None:
        return current
    current.requester_left_at = timezone.now()
    current.save(update_fields=["requester_left_at"])
    _record(current, ChatEventKind.LEFT, requester)
    if current.state == ChatState.WAITING:
        return _end(current, requester)
    live.announce(live.chat_topic(current.pk))
    return current


def _end(chat: ChatSession, actor: Person) -> ChatSession:
    chat.state = ChatState.ENDED
    chat.ended_at = timezone.now()
    chat.save(update_fields=["state", "ended_at"])
    _record(chat, ChatEventKind.ENDED, actor)
    if chat.ticket_id is not None and chat.ticket is not None:
        _write_transcript(chat, chat.ticket, chat.agent or actor)
    live.announce(live.chat_topic(chat.pk), live.DESK)
    return chat


@transaction.atomic
def chat_end(chat: ChatSession, *, actor: Person) -> ChatSession:
    current = _locked(chat)
    if actor.pk not in (current.requester_id, current.agent_id):
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Only the employee or their agent can end it.")
    if current.state == ChatState.ENDED:
        return current
    return _end(current, actor)


def _check_linkable(chat: ChatSession, agent: Person) -> None:
    if agent.pk != chat.agent_id:
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Only the chat's agent can file it.")
    if chat.ticket_id is not None:
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "This chat is already part of a ticket.")


@transaction.atomic
def chat_to_ticket(chat: ChatSession, *, agent: Person, short_description: str) -> Ticket:
    """A new ticket (channel "chat") for the employee, with the transcript so far."""
    current = _locked(chat)
    _check_linkable(current, agent)
    title = short_description.strip() or current.topic or "Chat with the service desk"
    ticket = ticket_create(
        actor=agent,
        kind=TicketKind.INCIDENT,
        requester=current.requester,
        short_description=title,
        description=f"Started as a chat on {current.created_at:%Y-%m-%d %H:%M} UTC.",
        channel=Channel.CHAT,
    )
    return _link(current, ticket, agent)


@transaction.atomic
def chat_attach(chat: ChatSession, *, agent: Person, number: str) -> Ticket:
    """Attach the chat to an existing ticket the agent may work: the transcript joins it."""
    current = _locked(chat)
    _check_linkable(current, agent)
    ticket = Ticket.objects.filter(number=number.strip().upper()).first()
    if ticket is None or not may(agent, TicketAction.WORK, ticket):
        raise _refuse(
            ChatErrorCode.UNKNOWN_TICKET, f"No ticket {number} that you may work.", "number"
        )
    return _link(current, ticket, agent)


def _link(chat: ChatSession, ticket: Ticket, agent: Person) -> Ticket:
    chat.ticket = ticket
    chat.save(update_fields=["ticket"])
    _write_transcript(chat, ticket, agent)
    _record(chat, ChatEventKind.LINKED, agent, ticket.number)
    live.announce(live.chat_topic(chat.pk))
    return ticket


@transaction.atomic
def chat_availability_set(*, agent: Person, available: bool) -> AgentChatStatus:
    if not agent.is_staff_member:
        raise _refuse(ChatErrorCode.NOT_PERMITTED, "Only the desk's people take chats.")
    status, _ = AgentChatStatus.objects.get_or_create(agent=agent)
    status.available = available
    status.changed_at = timezone.now()
    status.save(update_fields=["available", "changed_at"])
    live.announce(live.DESK)
    return status
