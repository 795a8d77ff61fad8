"""The chat's pages, streams and API as each person sees them (the access policy's two rules)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from servicedesk.api.services import token_create
from servicedesk.chat.models import ChatSession
from servicedesk.chat.services import chat_accept, chat_availability_set, chat_post, chat_start
from servicedesk.chat.stream import chat_events
from servicedesk.chat.tests import aio
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.tests.exits import OTHER_AGENCY_AGENT, Exits

pytestmark = pytest.mark.django_db(transaction=True)

# The waiting list: session and person, the agent's scope, the waiting chats (with requester,
# agency, ticket and group), who follows which open ticket, and those tickets the agent may
# know. The desk page adds the nav's unread badge, the agent's status and the chats they hold.
WAITING_LIST_QUERIES = 6
WAITING_DESK_QUERIES = WAITING_LIST_QUERIES + 3


def client_of(exits: Exits, who: str) -> Client:
    client = Client()
    client.force_login(exits.people[who])
    return client


@pytest.fixture
def chat(exits: Exits) -> ChatSession:
    started = chat_start(requester=exits.people["employee"], topic="VPN")
    started = chat_accept(started, agent=exits.people["desk"])
    chat_post(started, author=exits.people["employee"], body="ZQCHATSECRET my VPN drops")
    chat_post(
        started,
        author=exits.people["desk"],
        body="Try this",
        upload=SimpleUploadedFile("steps.txt", b"ZQCHATFILE"),
    )
    return started


def urls_of(chat: ChatSession) -> list[str]:
    file_id = chat.events.exclude(file="").get().pk
    return [
        f"/portal/chat/{chat.pk}/",
        f"/workspace/chat/{chat.pk}/",
        f"/chat/{chat.pk}/stream/",
        f"/chat/files/{file_id}/",
        f"/api/v1/chats/{chat.pk}",
    ]


def test_a_requester_cannot_read_another_requesters_chat(exits: Exits, chat: ChatSession) -> None:
    other = client_of(exits, "kowens")
    for url in urls_of(chat):
        response = other.get(url)
        assert response.status_code == 404, url
        assert b"ZQCHAT" not in response.content
    assert other.post(f"/chat/{chat.pk}/messages/", {"body": "hi"}).status_code == 404
    assert other.post(f"/chat/{chat.pk}/leave/").status_code == 404
    assert b"ZQCHATSECRET" not in other.get("/api/v1/chats?q=ZQCHATSECRET").content
    assert chat.events.count() == 3


def test_an_agent_of_another_agency_cannot_see_or_join_the_chat(
    exits: Exits, chat: ChatSession
) -> None:
    outsider = client_of(exits, OTHER_AGENCY_AGENT)
    for url in urls_of(chat):
        assert outsider.get(url).status_code == 404, url
    waiting = chat_start(requester=exits.people["employee"], ticket=exits.tickets["sok"])
    assert b"Emma" not in outsider.get("/workspace/chat/waiting/").content
    assert outsider.post(f"/workspace/chat/{waiting.pk}/accept/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.agent is None
    # An agent of the employee's agency sees it waiting and takes it.
    network = client_of(exits, "network")
    assert (
        f"/workspace/chat/{waiting.pk}/accept/".encode() in network.get("/workspace/chat/").content
    )
    assert network.post(f"/workspace/chat/{waiting.pk}/accept/").status_code == 302
    waiting.refresh_from_db()
    assert waiting.agent == exits.people["network"]


def test_the_employee_and_the_agent_read_the_chat_and_its_file(
    exits: Exits, chat: ChatSession
) -> None:
    employee, desk = client_of(exits, "employee"), client_of(exits, "desk")
    assert b"ZQCHATSECRET" in employee.get(f"/portal/chat/{chat.pk}/").content
    assert b"ZQCHATSECRET" in desk.get(f"/workspace/chat/{chat.pk}/").content
    file_id = chat.events.exclude(file="").get().pk
    download = employee.get(f"/chat/files/{file_id}/")
    assert b"".join(download.streaming_content) == b"ZQCHATFILE"  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment")


def test_a_message_too_long_is_refused_in_the_apis_error_shape(
    exits: Exits, chat: ChatSession
) -> None:
    response = client_of(exits, "employee").post(
        f"/chat/{chat.pk}/messages/", {"body": "x" * 2_001}
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_long",
        "message": "Keep a message to 2,000 characters (this is 2,001).",
        "field": "body",
    }


def test_the_transcript_is_in_the_api_and_searchable(exits: Exits, chat: ChatSession) -> None:
    _, token = token_create(exits.people["desk"], "chat")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    found = api.get("/api/v1/chats", {"q": "zqchatsecret"}).json()
    assert [item["id"] for item in found["items"]] == [chat.pk]
    assert api.get("/api/v1/chats", {"q": "nothing like it"}).json()["items"] == []
    detail = api.get(f"/api/v1/chats/{chat.pk}").json()
    assert [line["kind"] for line in detail["transcript"]] == ["accepted", "message", "file"]
    assert detail["transcript"][1]["body"] == "ZQCHATSECRET my VPN drops"


def test_the_start_page_offers_a_ticket_when_nobody_takes_chats(exits: Exits) -> None:
    employee = client_of(exits, "employee")
    page = employee.get("/portal/chat/").content.decode()
    assert "No agent is taking chats right now." in page
    assert "/portal/new/incident/" in page
    assert employee.post("/portal/chat/", {"topic": "x"}).status_code == 200
    assert not ChatSession.objects.exists()
    chat_availability_set(agent=exits.people["desk"], available=True)
    started = employee.post("/portal/chat/", {"topic": "Printer"})
    assert started.status_code == 302
    assert ChatSession.objects.get().topic == "Printer"


def _read(stream: Any, frames: int) -> list[dict[str, Any]]:
    """The first `frames` data frames of a stream, decoded."""

    async def collect() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        async for chunk in stream:
            text = chunk.decode()
            if "data: " in text:
                head = [line for line in text.splitlines() if line.startswith(("id:", "event:"))]
                data = json.loads(text.split("data: ", 1)[1])
                found.append({"head": head, **data})
            if len(found) >= frames:
                break
        await stream.aclose()
        return found

    return aio.run(collect())


def test_a_stream_resumes_after_the_last_event_id_with_nothing_twice(
    exits: Exits, chat: ChatSession
) -> None:
    ids = list(chat.events.values_list("pk", flat=True))
    everything = _read(chat_events(chat.pk, 0), 4)
    assert [frame.get("id") for frame in everything[:3]] == ids
    assert everything[0]["head"] == [f"id: {ids[0]}", "event: line"]
    assert everything[3]["state"] == "active"  # then where the chat stands
    resumed = _read(chat_events(chat.pk, ids[1]), 2)
    assert [frame.get("id") for frame in resumed] == [ids[2], None]


def test_a_stream_is_woken_by_a_new_line(exits: Exits, chat: ChatSession) -> None:
    last = chat.events.order_by("-pk").first()
    assert last is not None

    async def wait_for_the_next_line() -> dict[str, Any]:
        stream = chat_events(chat.pk, last.pk)
        async for chunk in stream:
            if b"event: status" in chunk:
                break  # caught up: now send one
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            None, lambda: chat_post(chat, author=exits.people["desk"], body="Still there?")
        )
        async with asyncio.timeout(2):
            async for chunk in stream:
                if b"event: line" in chunk:
                    await stream.aclose()
                    return dict(json.loads(chunk.decode().split("data: ", 1)[1]))
        raise AssertionError("no line")

    assert aio.run(wait_for_the_next_line())["body"] == "Still there?"


def test_sending_a_line_and_opening_the_desk_cost_a_pinned_number_of_queries(
    exits: Exits, chat: ChatSession, django_assert_num_queries: Any
) -> None:
    employee, desk = client_of(exits, "employee"), client_of(exits, "desk")
    employee.get("/portal/")  # the session's first read is not the line's
    # Session and person, the chat through the access policy, the rate counter, the locked
    # chat, the stored line (with the transaction's own statements); on PostgreSQL the NOTIFY.
    with django_assert_num_queries(9 if connection.vendor == "postgresql" else 8):
        assert employee.post(f"/chat/{chat.pk}/messages/", {"body": "more"}).status_code == 201
    with django_assert_num_queries(7):
        assert desk.get("/workspace/chat/").status_code == 200


def _caller_waiting(exits: Exits, number: int) -> Ticket:
    """A new employee with an open ticket, waiting in a chat; their ticket."""
    colleague = exits.people["employee"]
    caller = Person.objects.create(
        username=f"caller{number}",
        first_name=f"Caller{number}",
        role=Role.REQUESTER,
        agency=colleague.agency,
        location=colleague.location,
    )
    ticket = ticket_create(
        actor=caller, kind=TicketKind.INCIDENT, short_description=f"Badge {number} refused"
    )
    chat_start(requester=caller, topic="My badge")
    return ticket


def test_the_desks_waiting_list_costs_the_same_queries_however_many_wait(
    exits: Exits, django_assert_num_queries: Any
) -> None:
    desk = client_of(exits, "desk")
    desk.get("/workspace/chat/")  # the session's first read is not the page's
    tickets: list[Ticket] = []
    for waiting in (1, 4):
        while len(tickets) < waiting:
            tickets.append(_caller_waiting(exits, len(tickets)))
        with django_assert_num_queries(WAITING_DESK_QUERIES):
            page = desk.get("/workspace/chat/").content.decode()
        with django_assert_num_queries(WAITING_LIST_QUERIES):
            listed = desk.get("/workspace/chat/waiting/").content.decode()
        for html in (page, listed):
            assert html.count('data-testid="waiting-chat"') == waiting
            for ticket in tickets:
                assert f"{ticket.number}</a> {ticket.short_description}" in html
