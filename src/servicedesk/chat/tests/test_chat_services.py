"""A live chat from the employee's first line to the ticket it becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.chat.choices import ChatEventKind, ChatState
from servicedesk.chat.errors import ChatError, ChatErrorCode
from servicedesk.chat.models import AgentChatStatus, ChatEvent
from servicedesk.chat.selectors import (
    chats_search,
    desk_availability,
    queue_position,
    waiting_chats_for,
)
from servicedesk.chat.services import (
    chat_accept,
    chat_attach,
    chat_availability_set,
    chat_end,
    chat_leave,
    chat_post,
    chat_start,
    chat_to_ticket,
    chat_transfer,
)
from servicedesk.core.models import ConfigChange
from servicedesk.directory.models import SupportGroup
from servicedesk.sla.chat_clock import desk_open
from servicedesk.tickets.choices import Channel
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.tests.exits import OTHER_AGENCY_AGENT, Exits

pytestmark = pytest.mark.django_db


def last_comment(ticket: Ticket) -> str:
    return str(ticket.comments.order_by("id").values_list("body", flat=True).last())


def test_a_chat_waits_in_line_with_a_two_minute_first_response_clock(exits: Exits) -> None:
    first = chat_start(requester=exits.people["employee"], topic="VPN <b>down</b>")
    second = chat_start(requester=exits.people["kowens"])
    assert first.state == ChatState.WAITING
    assert first.topic == "VPN down"
    # The engine counts whole seconds.
    due = first.created_at.replace(microsecond=0) + timedelta(minutes=2)
    assert first.first_response_due_at == due
    assert (queue_position(first), queue_position(second)) == (1, 2)
    # Asking again while it waits brings back the same chat, not a second one.
    assert chat_start(requester=exits.people["employee"], topic="again") == first


def test_the_desk_answers_when_an_agent_is_available(exits: Exits) -> None:
    assert not desk_availability().answering
    chat_availability_set(agent=exits.people["desk"], available=True)
    assert desk_availability().answering
    chat_availability_set(agent=exits.people["desk"], available=False)
    assert not desk_availability().answering


def test_the_desk_answers_chats_within_its_business_hours(exits: Exits, settings: Any) -> None:
    settings.SERVICEDESK_DEFAULT_CALENDAR = "Business hours"  # weekdays 7 to 5, Central time
    wednesday_noon = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
    assert desk_open(wednesday_noon)
    assert not desk_open(wednesday_noon + timedelta(hours=6))
    assert not desk_open(wednesday_noon + timedelta(days=3))  # Saturday


def test_the_agent_answers_and_the_first_response_clock_stops(exits: Exits) -> None:
    chat = chat_start(requester=exits.people["employee"])
    chat = chat_accept(chat, agent=exits.people["desk"])
    chat_post(chat, author=exits.people["employee"], body="My screen is black")
    assert chat.first_response_at is None
    chat_post(chat, author=exits.people["desk"], body="Is it plugged in?")
    chat.refresh_from_db()
    assert chat.first_response_at is not None
    assert chat.first_response_clock["stopped_at"] is not None
    assert chat.first_response_clock["outcome"] == "met"
    kinds = list(chat.events.values_list("kind", flat=True))
    assert kinds == [ChatEventKind.ACCEPTED, ChatEventKind.MESSAGE, ChatEventKind.MESSAGE]


def test_messages_are_sanitised_limited_in_size_and_rate(exits: Exits, settings: Any) -> None:
    employee = exits.people["employee"]
    chat = chat_start(requester=employee)
    line = chat_post(
        chat, author=employee, body="<script>alert(1)</script><img src=x onerror=a()>Hi"
    )
    assert line.body == "Hi"
    with pytest.raises(ChatError) as too_long:
        chat_post(chat, author=employee, body="x" * 2_001)
    assert too_long.value.code == ChatErrorCode.TOO_LONG
    with pytest.raises(ChatError) as empty:
        chat_post(chat, author=employee, body="<b></b>  ")
    assert empty.value.code == ChatErrorCode.EMPTY_MESSAGE
    settings.SERVICEDESK_RATE_LIMITS = {**settings.SERVICEDESK_RATE_LIMITS, "chat.message": (2, 60)}
    chat_post(chat, author=employee, body="one")
    with pytest.raises(ChatError) as limited:
        chat_post(chat, author=employee, body="two")
    assert limited.value.code == ChatErrorCode.RATE_LIMITED
    assert list(chat.events.values_list("body", flat=True)) == ["Hi", "one"]


def test_only_the_employee_and_their_agent_write_in_a_chat(exits: Exits) -> None:
    chat = chat_accept(chat_start(requester=exits.people["employee"]), agent=exits.people["desk"])
    for outsider in ("network", "kowens"):
        with pytest.raises(ChatError):
            chat_post(chat, author=exits.people[outsider], body="hello")


def test_an_agent_holds_chats_up_to_their_limit(exits: Exits) -> None:
    desk = exits.people["desk"]
    AgentChatStatus.objects.create(agent=desk, available=True, max_chats=1)
    chat_accept(chat_start(requester=exits.people["employee"]), agent=desk)
    with pytest.raises(ChatError) as full:
        chat_accept(chat_start(requester=exits.people["kowens"]), agent=desk)
    assert full.value.code == ChatErrorCode.AT_LIMIT


def test_an_agent_of_another_agency_neither_sees_nor_joins_the_chat(exits: Exits) -> None:
    chat = chat_start(requester=exits.people["employee"])
    outsider = exits.people[OTHER_AGENCY_AGENT]
    assert waiting_chats_for(outsider) == []
    assert waiting_chats_for(exits.people["network"]) == [chat]
    with pytest.raises(ChatError) as refused:
        chat_accept(chat, agent=outsider)
    assert refused.value.code == ChatErrorCode.NOT_PERMITTED


def test_a_transfer_hands_the_chat_to_a_colleague_or_back_to_a_groups_line(exits: Exits) -> None:
    desk, network = exits.people["desk"], exits.people["network"]
    chat = chat_accept(chat_start(requester=exits.people["employee"]), agent=desk)
    chat = chat_transfer(chat, actor=desk, to_agent=network)
    assert (chat.agent, chat.state) == (network, ChatState.ACTIVE)
    with pytest.raises(ChatError):
        chat_transfer(chat, actor=network, to_agent=exits.people[OTHER_AGENCY_AGENT])
    group = SupportGroup.objects.get(members=network)
    chat = chat_transfer(chat, actor=network, to_group=group)
    assert (chat.agent, chat.state, chat.group) == (None, ChatState.WAITING, group)
    assert chat in waiting_chats_for(network)
    assert chat not in waiting_chats_for(exits.people["lead"])  # not of that group


def test_a_chat_becomes_a_ticket_with_its_transcript_and_files(exits: Exits) -> None:
    employee, desk = exits.people["employee"], exits.people["desk"]
    chat = chat_accept(chat_start(requester=employee, topic="Printer"), agent=desk)
    chat_post(chat, author=employee, body="The printer jams ZQCHATLINE")
    chat_post(
        chat,
        author=employee,
        body="here",
        upload=SimpleUploadedFile("jam.png", b"\x89PNG picture", content_type="image/png"),
    )
    ticket = chat_to_ticket(chat, agent=desk, short_description="Printer jams")
    assert (ticket.channel, ticket.requester, ticket.short_description) == (
        Channel.CHAT,
        employee,
        "Printer jams",
    )
    transcript = ticket.comments.get()
    assert "The printer jams ZQCHATLINE" in transcript.body
    assert transcript.channel == Channel.CHAT and not transcript.is_internal
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["jam.png"]
    chat_post(chat, author=desk, body="A technician is on the way")
    chat_end(chat, actor=desk)
    assert "A technician is on the way" in last_comment(ticket)
    with pytest.raises(ChatError):
        chat_to_ticket(chat, agent=desk, short_description="twice")
    assert [c.pk for c in chats_search(desk, "zqchatline")] == [chat.pk]
    assert list(chats_search(exits.people[OTHER_AGENCY_AGENT], "ZQCHATLINE")) == []


def test_a_chat_started_from_a_ticket_joins_its_thread(exits: Exits) -> None:
    employee, desk = exits.people["employee"], exits.people["desk"]
    ticket = exits.tickets["sok"]
    chat = chat_accept(chat_start(requester=employee, ticket=ticket), agent=desk)
    chat_post(chat, author=employee, body="Any news on the part?")
    chat_end(chat, actor=employee)
    assert "Any news on the part?" in last_comment(ticket)
    with pytest.raises(ChatError):
        chat_start(requester=employee, ticket=exits.tickets["dhs"])


def test_an_agent_attaches_a_chat_to_one_of_the_employees_tickets(exits: Exits) -> None:
    employee, desk = exits.people["employee"], exits.people["desk"]
    chat = chat_accept(chat_start(requester=employee), agent=desk)
    chat_post(chat, author=employee, body="About my printer")
    with pytest.raises(ChatError) as unknown:
        chat_attach(chat, agent=desk, number="INC9999999")
    assert unknown.value.code == ChatErrorCode.UNKNOWN_TICKET
    ticket = chat_attach(chat, agent=desk, number=exits.tickets["sok"].number.lower())
    assert ticket == exits.tickets["sok"]
    assert "About my printer" in last_comment(ticket)


def test_an_employee_who_leaves_is_shown_as_gone(exits: Exits) -> None:
    employee = exits.people["employee"]
    chat = chat_accept(chat_start(requester=employee), agent=exits.people["desk"])
    chat = chat_leave(chat, requester=employee)
    assert chat.requester_left_at is not None and chat.state == ChatState.ACTIVE
    assert chat.events.order_by("id").values_list("kind", flat=True).last() == ChatEventKind.LEFT
    # A chat nobody took yet simply ends.
    waiting = chat_leave(
        chat_start(requester=exits.people["kowens"]), requester=exits.people["kowens"]
    )
    assert waiting.state == ChatState.ENDED
    assert ChatEvent.objects.filter(session=waiting, kind=ChatEventKind.ENDED).exists()


def test_an_agents_chat_limit_is_audited_their_availability_is_not(exits: Exits) -> None:
    desk = exits.people["desk"]
    status = chat_availability_set(agent=desk, available=True)
    chat_availability_set(agent=desk, available=False)
    limits = ConfigChange.objects.filter(model="chat.agentchatstatus")
    assert not limits.exists()
    status.max_chats = 5
    status.save()
    assert limits.get().changes == {"max_chats": [3, 5]}
