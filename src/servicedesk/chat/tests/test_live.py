"""The wake-ups behind the live streams: within a process, and across a SQLite host's processes."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from servicedesk.chat import live
from servicedesk.chat.tests import aio


def test_a_subscription_set_before_a_read_is_not_missed() -> None:
    hub = live.Hub()

    async def scenario() -> tuple[bool, bool]:
        subscription = hub.subscribe("chat:1")
        subscription.clear()
        hub.publish(["chat:1"])  # between the read and the wait: still seen
        await asyncio.sleep(0)
        woken = await subscription.wait(1)
        subscription.clear()
        hub.publish(["chat:2"])
        quiet = await subscription.wait(0.05)
        subscription.close()
        return woken, quiet

    assert aio.run(scenario()) == (True, False)
    assert hub.listening() == 0


def test_a_datagram_wakes_another_web_process_of_the_host(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short path: a Unix socket's must fit in about 100 characters.
    short = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))
    settings.MEDIA_ROOT = str(short / "media")
    heard: list[tuple[str, tuple[str, ...]]] = []
    recording = live.Hub()
    monkeypatch.setattr(
        recording,
        "publish",
        lambda topics: heard.append((threading.current_thread().name, tuple(topics))),
    )
    monkeypatch.setattr(live, "hub", recording)
    loop = asyncio.new_event_loop()
    other = threading.Thread(target=loop.run_forever, name="other process", daemon=True)
    other.start()
    try:
        asyncio.run_coroutine_threadsafe(_listen(loop), loop).result(5)
        live._own_sockets.clear()  # as if that socket were another process's
        live._wake_host(("chat:7",))
        for _ in range(100):
            if len(heard) == 2:
                break
            threading.Event().wait(0.02)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        other.join(5)
        loop.close()
        shutil.rmtree(short, ignore_errors=True)
    assert heard == [("MainThread", ("chat:7",)), ("other process", ("chat:7",))]


async def _listen(loop: asyncio.AbstractEventLoop) -> None:
    live._listen_on_this_host(loop)
