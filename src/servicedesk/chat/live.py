"""Wake the live streams of a chat when something was stored: the fan-out behind `stream.py`.

Every write stores its event first; only then is a topic announced ("chat:<id>", or "desk" for
the agents' waiting list). On PostgreSQL the announcement is a `NOTIFY` sent in the writing
transaction, so it is delivered at commit, to every process on every host that `LISTEN`s (one
listening connection per web process, `_listen`). On the embedded SQLite default it goes to this
process's hub once the transaction commits; the other worker processes of the same host notice
within `recheck_seconds()`, since every stream also re-reads the database that often. A stream
never trusts the wake-up itself: it re-reads what came after the last event id it sent.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

logger = logging.getLogger("servicedesk.chat")

CHANNEL = "servicedesk_chat"
DESK = "desk"
# How often a stream re-reads the database without being woken: the safety net under the
# wake-ups. Every open stream pays a read each time, so not much oftener (200 streams re-reading
# every second took a core of the benchmark machine).
RECHECK_SECONDS = 15.0


def chat_topic(chat_id: int) -> str:
    return f"chat:{chat_id}"


def uses_postgres() -> bool:
    return connections["default"].vendor == "postgresql"


def recheck_seconds() -> float:
    return RECHECK_SECONDS


class Subscription:
    """A stream's interest in some topics: set when one is announced, cleared before re-reading,
    so an announcement between the read and the wait is never missed."""

    def __init__(self, hub: Hub, topics: tuple[str, ...]) -> None:
        self.hub = hub
        self.topics = topics
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def clear(self) -> None:
        self.event.clear()

    async def wait(self, timeout: float) -> bool:
        """True when woken by an announcement, False when the time ran out."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """This process's streams by topic; `publish` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[str, set[Subscription]] = {}

    def subscribe(self, *topics: str) -> Subscription:
        subscription = Subscription(self, topics)
        with self._lock:
            for topic in topics:
                self._subscriptions.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for topic in subscription.topics:
                waiting = self._subscriptions.get(topic)
                if waiting is not None:
                    waiting.discard(subscription)
                    if not waiting:
                        del self._subscriptions[topic]

    def publish(self, topics: Iterable[str]) -> None:
        with self._lock:
            woken = {s for topic in topics for s in self._subscriptions.get(topic, ())}
        self._wake(woken)

    def publish_all(self) -> None:
        with self._lock:
            everyone = {s for waiting in self._subscriptions.values() for s in waiting}
        self._wake(everyone)

    def _wake(self, subscriptions: set[Subscription]) -> None:
        for subscription in subscriptions:
            try:
                subscription.loop.call_soon_threadsafe(subscription.event.set)
            except RuntimeError:  # its event loop has closed
                self.unsubscribe(subscription)

    def listening(self) -> int:
        with self._lock:
            return len({s for waiting in self._subscriptions.values() for s in waiting})


hub = Hub()


def announce(*topics: str) -> None:
    """Inside the writing transaction: wake the streams of `topics` once it commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for topic in topics:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, topic])
    else:
        transaction.on_commit(lambda: _wake_host(topics))


def _wake_directory() -> Path:
    return Path(settings.MEDIA_ROOT).parent / "chat-wake"


_own_sockets: set[str] = set()
_sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
# Never wait on a process that does not read (stuck, or its loop gone): its re-reads cover it.
_sender.setblocking(False)


def _wake_host(topics: tuple[str, ...]) -> None:
    """This process's streams, then every other web process of this host (SQLite)."""
    hub.publish(topics)
    payload = "\n".join(topics).encode()
    for path in _wake_directory().glob("*.sock"):
        if str(path) in _own_sockets:
            continue
        try:
            _sender.sendto(payload, str(path))
        except ConnectionRefusedError:
            path.unlink(missing_ok=True)  # its process is gone
        except OSError:  # its queue is full, or it cannot be reached: its re-reads cover it
            logger.debug("could not wake %s", path, exc_info=True)


def _listen_on_this_host(loop: asyncio.AbstractEventLoop) -> None:
    directory = _wake_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{os.getpid()}-{id(loop)}.sock"
    if len(str(path)) > 100:  # a Unix socket's path is short; the re-reads still run
        return
    path.unlink(missing_ok=True)
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.setblocking(False)
    _own_sockets.add(str(path))

    def receive() -> None:
        while True:
            try:
                data = receiver.recv(4096)
            except BlockingIOError:
                return
            hub.publish(tuple(data.decode().split("\n")))

    loop.add_reader(receiver.fileno(), receive)


_listeners: dict[int, asyncio.Task[None]] = {}
_listeners_lock = threading.Lock()


_host_listeners: set[int] = set()


def ensure_listening() -> None:
    """One listener per event loop (that is, per web process): a connection that LISTENs on
    PostgreSQL, a Unix datagram socket on SQLite."""
    loop = asyncio.get_running_loop()
    with _listeners_lock:
        if not uses_postgres():
            if id(loop) not in _host_listeners:
                _host_listeners.add(id(loop))
                _listen_on_this_host(loop)
            return
        task = _listeners.get(id(loop))
        if task is None or task.done():
            _listeners[id(loop)] = loop.create_task(_listen(_connection_params()))


def _connection_params() -> dict[str, Any]:
    database = connections["default"].settings_dict
    params: dict[str, Any] = {"dbname": database["NAME"], "autocommit": True}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host")):
        if database.get(key):
            params[name] = database[key]
    if database.get("PORT"):
        params["port"] = int(database["PORT"])
    return params


async def _listen(params: dict[str, Any]) -> None:
    import psycopg

    while True:
        try:
            async with await psycopg.AsyncConnection.connect(**params) as listener:
                await listener.execute(f"LISTEN {CHANNEL}")
                # Whatever was announced while this connection was down: every stream re-reads.
                hub.publish_all()
                async for note in listener.notifies():
                    hub.publish((note.payload,))
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("chat listener lost its connection; reconnecting", exc_info=True)
        await asyncio.sleep(1)
