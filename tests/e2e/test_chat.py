"""Live chat in two browsers at once, against the ASGI server `servicedesk serve` runs: an
employee chats with an agent (each sees their own lines on the right), the chat becomes a
ticket, and a connection cut and restored loses nothing and repeats nothing."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.handlers.asgi import ASGIHandler
from django.db import connection, connections
from playwright.sync_api import Browser, BrowserContext, Page, expect

from servicedesk.chat.models import ChatSession
from servicedesk.config.settings import pooled_for_asgi
from servicedesk.tickets.choices import Channel
from servicedesk.tickets.tests.exits import Exits
from servicedesk.tickets.tests.exits import exits as exits  # the demo organisation
from tests.e2e.pages import ChatDesk, GivePassword, PortalChat
from tests.e2e.test_workspace import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

POOL_SIZE = 10  # config/asgi.py's


@pytest.fixture
def asgi_server(transactional_db: None, settings: Any) -> Iterator[str]:
    """The app under uvicorn (as `serve` runs it) in a thread, on a free port of 127.0.0.1."""
    settings.SERVICEDESK_DEFAULT_CALENDAR = "(none: the desk answers around the clock)"
    database = connections.settings["default"]
    kept = dict(database), dict(database.get("OPTIONS", {}))
    if connection.vendor == "sqlite":
        pooled_for_asgi(database, POOL_SIZE)  # as config/asgi.py sets it: connections from a pool
    else:  # no connection left behind, as config/asgi.py; psycopg's pool is the fault tests'
        database["CONN_MAX_AGE"] = 0  # (its sessions would outlive the test database here)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(ASGIStaticFilesHandler(ASGIHandler()), lifespan="off", log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    listening.close()
    database.update(kept[0])
    database["OPTIONS"] = kept[1]


@pytest.fixture
def second_context(browser: Browser, csp_violations: list[str]) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield context
    context.close()


def event_ids(chat: PortalChat) -> list[int]:
    return [int(i) for i in chat.lines.evaluate_all("items => items.map(i => i.dataset.eventId)")]


def test_an_employee_and_an_agent_chat_and_the_chat_becomes_a_ticket(
    asgi_server: str,
    page: Page,
    second_context: BrowserContext,
    exits: Exits,
    give_password: GivePassword,
) -> None:
    employee, agent = exits.people["employee"], exits.people["desk"]
    give_password(employee, agent)
    agent_page = second_context.new_page()
    sign_in(agent_page, asgi_server, agent)
    desk = ChatDesk(agent_page).open(asgi_server)
    desk.take_chats()
    expect(desk.waiting_count).to_have_text("0")

    sign_in(page, asgi_server, employee)
    mine = PortalChat(page).start_from_home(asgi_server, "VPN keeps dropping")
    expect(mine.status).to_contain_text("you are number 1 in the queue")
    # The desk's list follows by itself (no reload): the count, then the chat.
    expect(desk.waiting_count).to_have_text("1")
    theirs = desk.accept_oldest()
    expect(mine.status).to_contain_text(f"{agent.get_full_name()} is with you.")

    mine.send("It drops every ten minutes")
    expect(theirs.line("It drops every ten minutes")).to_be_visible()
    theirs.send(
        "Here are the steps",
        file={"name": "vpn-steps.txt", "mimeType": "text/plain", "buffer": b"1. reconnect"},
    )
    expect(mine.line("vpn-steps.txt")).to_be_visible()
    # Each side sees its own lines on the right, the other side's on the left.
    expect(theirs.line("vpn-steps.txt")).to_be_visible()
    assert (mine.side_of("It drops every ten"), mine.side_of("vpn-steps.txt")) == ("right", "left")
    assert (theirs.side_of("It drops every ten"), theirs.side_of("vpn-steps.txt")) == (
        "left",
        "right",
    )
    expect(mine.line("vpn-steps.txt").get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^/chat/files/\d+/$")
    )

    # The employee's connection drops; the agent writes on; the connection comes back.
    page.context.set_offline(True)
    expect(page.locator("[data-chat-connection]")).to_be_visible()
    for n in (1, 2, 3):
        theirs.send(f"While you were away {n}")
        expect(theirs.line(f"While you were away {n}")).to_be_visible()
    page.context.set_offline(False)
    expect(mine.line("While you were away 3")).to_be_visible()
    ids = event_ids(mine)
    assert ids == sorted(set(ids)), "a line was shown twice or out of order"
    assert event_ids(mine) == event_ids(theirs)
    for n in (1, 2, 3):
        expect(mine.line(f"While you were away {n}")).to_have_count(1)

    desk.make_ticket("VPN drops every ten minutes")
    expect(desk.ticket).to_contain_text("VPN drops every ten minutes")
    chat = ChatSession.objects.select_related("ticket").get()
    assert chat.ticket is not None and chat.ticket.channel == Channel.CHAT
    transcript = chat.ticket.comments.get().body
    assert "It drops every ten minutes" in transcript and "While you were away 3" in transcript
    assert list(chat.ticket.attachments.values_list("original_name", flat=True)) == [
        "vpn-steps.txt"
    ]
    expect(mine.status).to_contain_text(f"Part of ticket {chat.ticket.number}.")

    # The employee goes elsewhere: the agent sees them gone.
    page.goto(f"{asgi_server}/portal/")
    expect(theirs.status).to_contain_text("The employee has left the chat.")
