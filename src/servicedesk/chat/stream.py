"""The live streams (server-sent events): one chat's lines and status, and the agents' desk.

A stream sends every stored event after the last id the browser saw (`Last-Event-ID`, which the
browser sends by itself when it reconnects, or `?after=` when the page reconnects on its own),
each with its id, so a dropped connection resumes with nothing lost and nothing twice. It then
waits to be woken (`live`) or for `live.recheck_seconds()`, re-reads, and so on; after
`STREAM_SECONDS` it closes and the browser reconnects from where it was.

Reads run in a worker thread and close their connection at once: a thousand open streams hold
no database connection while they wait.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from functools import partial
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections
from django.http import HttpRequest, StreamingHttpResponse

from servicedesk.chat import live
from servicedesk.chat.choices import ChatState
from servicedesk.chat.models import ChatSession
from servicedesk.chat.selectors import event_payload, status_payload, waiting_chats_for
from servicedesk.directory.models import Person

STREAM_SECONDS = 300.0
KEEP_ALIVE_SECONDS = 15.0
RECONNECT_MILLISECONDS = 2_000

Result = TypeVar("Result")


def resume_point(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        return max(0, int(raw))
    except ValueError:
        return 0


def frame(data: dict[str, Any], *, event: str, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def event_stream(body: AsyncIterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must pass each event on at once
    return response


async def _read(reader: Callable[[], Result]) -> Result:
    def read_and_close() -> Result:
        close_old_connections()
        try:
            return reader()
        finally:
            connections["default"].close()

    return await sync_to_async(read_and_close, thread_sensitive=False)()


def _chat_now(chat_id: int, after: int) -> tuple[list[bytes], int, dict[str, Any]]:
    from servicedesk.chat.selectors import events_after

    chat = ChatSession.objects.select_related("agent", "ticket").get(pk=chat_id)
    frames = []
    for event in events_after(chat_id, after):
        frames.append(frame(event_payload(event, chat), event="line", event_id=event.pk))
        after = event.pk
    return frames, after, status_payload(chat)


async def chat_events(chat_id: int, after: int) -> AsyncGenerator[bytes, None]:
    live.ensure_listening()
    subscription = live.hub.subscribe(live.chat_topic(chat_id), live.DESK)
    loop = asyncio.get_running_loop()
    closes_at = loop.time() + STREAM_SECONDS
    quiet_since = loop.time()
    sent_status: dict[str, Any] = {}
    try:
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n".encode()
        while True:
            subscription.clear()
            frames, after, status = await _read(partial(_chat_now, chat_id, after))
            for line in frames:
                yield line
            if status != sent_status:
                yield frame(status, event="status")
                sent_status = status
            if status["state"] == ChatState.ENDED or loop.time() >= closes_at:
                return
            if frames:
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= KEEP_ALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since = loop.time()
            await subscription.wait(live.recheck_seconds())
    finally:
        subscription.close()


def _desk_now(agent: Person) -> dict[str, Any]:
    waiting = waiting_chats_for(agent)
    return {"waiting": len(waiting), "ids": [chat.pk for chat in waiting]}


async def desk_events(agent: Person) -> AsyncGenerator[bytes, None]:
    live.ensure_listening()
    subscription = live.hub.subscribe(live.DESK)
    loop = asyncio.get_running_loop()
    closes_at = loop.time() + STREAM_SECONDS
    quiet_since = loop.time()
    sent: dict[str, Any] | None = None
    try:
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n".encode()
        while loop.time() < closes_at:
            subscription.clear()
            now = await _read(partial(_desk_now, agent))
            if now != sent:
                yield frame(now, event="desk")
                sent, quiet_since = now, loop.time()
            elif loop.time() - quiet_since >= KEEP_ALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since = loop.time()
            await subscription.wait(live.recheck_seconds())
    finally:
        subscription.close()
