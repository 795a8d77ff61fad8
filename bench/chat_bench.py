"""Live chat message latency with many chats at once, on one machine.

Starts `BENCH_CHATS` (100) chats, each between its own employee and its own agent, serves the
app as `servicedesk serve` does (gunicorn, uvicorn's worker, the ASGI app; 2 workers) on a free
loopback port, and opens both sides' live streams: 200 server-sent event connections. For
`BENCH_CHAT_SECONDS` (30) each side of each chat sends a line every `BENCH_CHAT_INTERVAL` (4) s,
alternating, so a chat carries a line every 2 s (50 lines/s in all). A line's latency is from
just before its POST is sent to the moment the other side's stream delivers it: the write, the
commit, the wake-up (NOTIFY on PostgreSQL; on SQLite the in-process hub, or a datagram to the
other worker process) and the re-read. In the same run, `/healthz` (bare Django) is asked
every 100 ms: the figure to compare with. Every line must arrive exactly once. The first
`BENCH_CHAT_INTERVAL` seconds warm up, untimed.

Own database: `BENCH_CHAT_DATABASE_URL`, default a fresh SQLite file `var/bench-chat.sqlite3`.
Writes `bench/results/chat-<vendor>.txt` and `.json`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHATS = int(os.environ.get("BENCH_CHATS", "100"))
SECONDS = float(os.environ.get("BENCH_CHAT_SECONDS", "30"))
INTERVAL = float(os.environ.get("BENCH_CHAT_INTERVAL", "4"))
WORKERS = 2


def _database_url() -> str:
    from servicedesk.config.env import read_environment

    path = read_environment().data_dir / "bench-chat.sqlite3"
    if "BENCH_CHAT_DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return os.environ.get("BENCH_CHAT_DATABASE_URL") or f"sqlite:///{path}"


@dataclass
class Side:
    session: str
    stream_path: str
    post_path: str


@dataclass
class Pair:
    chat_id: int
    employee: Side
    agent: Side


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    heading: dict[str, str] = field(default_factory=dict)  # line -> "to agent" / "to employee"
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"to agent": [], "to employee": []}
    )
    received: Counter[str] = field(default_factory=Counter)
    refused: int = 0
    healthz: list[float] = field(default_factory=list)


def prepare(url: str) -> list[Pair]:
    """A fresh database with the chats accepted, and a signed-in session for everyone."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from servicedesk.chat.models import ChatSession
    from servicedesk.chat.services import chat_accept, chat_start
    from servicedesk.directory.choices import Role, Tier
    from servicedesk.directory.models import Person, SupportGroup

    call_command("migrate", verbosity=0)
    ChatSession.objects.all().delete()
    desk = SupportGroup.objects.create(
        name=f"Bench desk {secrets.token_hex(3)}", tier=Tier.SERVICE_DESK
    )

    def session_of(person: Person) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = "servicedesk.directory.sign_in.local.LocalPasswordBackend"
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        return str(store.session_key)

    tag = secrets.token_hex(3)
    pairs = []
    for n in range(CHATS):
        employee = Person.objects.create(username=f"bench-e{n}-{tag}", role=Role.REQUESTER)
        agent = Person.objects.create(username=f"bench-a{n}-{tag}", role=Role.AGENT)
        desk.members.add(agent)
        chat = chat_accept(chat_start(requester=employee), agent=agent)
        paths = (f"/chat/{chat.pk}/stream/", f"/chat/{chat.pk}/messages/")
        pairs.append(
            Pair(chat.pk, Side(session_of(employee), *paths), Side(session_of(agent), *paths))
        )
    connection.close()
    return pairs


async def _request(port: int, head: str, body: bytes = b"") -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status


def _head(method: str, port: int, path: str, session: str, csrf: str, length: int = 0) -> str:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Cookie: sessionid={session}; csrftoken={csrf}",
        f"X-CSRFToken: {csrf}",
        f"Referer: http://127.0.0.1:{port}/",
        "Connection: close",
    ]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {length}"]
    return "\r\n".join(lines) + "\r\n\r\n"


async def listen(port: int, side: Side, direction: str, tally: Tally, ready: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_head("GET", port, side.stream_path, side.session, "-").encode())
    await writer.drain()
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"event: status"):
                ready.set()
            if not line.startswith(b"data: "):
                continue
            body = json.loads(line[6:]).get("body", "")
            if tally.heading.get(body) == direction:
                tally.received[body] += 1
                if tally.received[body] == 1:
                    tally.latencies[direction].append(time.perf_counter() - tally.sent_at[body])
    finally:
        writer.close()


async def talk(port: int, pair: Pair, tally: Tally, stop_at: float) -> None:
    csrf = secrets.token_hex(16)  # 32 characters: Django takes an unmasked secret as it is
    await asyncio.sleep(random.uniform(0, INTERVAL))
    turn = 0
    while time.perf_counter() < stop_at:
        side = pair.agent if turn % 2 == 0 else pair.employee
        text = f"line {pair.chat_id}-{turn} {secrets.token_hex(4)}"
        body = urllib.parse.urlencode({"body": text}).encode()
        tally.heading[text] = "to employee" if side is pair.agent else "to agent"
        tally.sent_at[text] = time.perf_counter()
        status = await _request(
            port, _head("POST", port, side.post_path, side.session, csrf, len(body)), body
        )
        if status != 201:
            tally.refused += 1
            del tally.sent_at[text]
        turn += 1
        await asyncio.sleep(INTERVAL / 2)


async def bare(port: int, tally: Tally, stop_at: float) -> None:
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        await _request(
            port, f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        )
        tally.healthz.append(time.perf_counter() - started)
        await asyncio.sleep(0.1)


async def drive(port: int, pairs: list[Pair]) -> Tally:
    tally = Tally()
    listeners = []
    readies = []
    for pair in pairs:
        for side, direction in ((pair.employee, "to employee"), (pair.agent, "to agent")):
            ready = asyncio.Event()
            readies.append(ready)
            listeners.append(asyncio.create_task(listen(port, side, direction, tally, ready)))
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    # Warm-up: every chat's first lines (and each worker's first requests) are not timed.
    warm_until = time.perf_counter() + INTERVAL
    await asyncio.gather(*(talk(port, pair, tally, warm_until) for pair in pairs))
    await asyncio.sleep(2)
    tally.sent_at.clear()
    tally.heading.clear()
    tally.received.clear()
    tally.refused = 0
    for values in tally.latencies.values():
        values.clear()
    stop_at = time.perf_counter() + SECONDS
    await asyncio.gather(
        bare(port, tally, stop_at), *(talk(port, pair, tally, stop_at) for pair in pairs)
    )
    await asyncio.sleep(3)  # the last lines' way back
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    return tally


def _ms(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(vendor: str, tally: Tally) -> dict[str, Any]:
    every = tally.latencies["to agent"] + tally.latencies["to employee"]
    sent = len(tally.sent_at)
    return {
        "vendor": vendor,
        "nproc": os.cpu_count(),
        "chats": CHATS,
        "streams": 2 * CHATS,
        "seconds": SECONDS,
        "web_workers": WORKERS,
        "lines_sent": sent,
        "lines_refused": tally.refused,
        "lines_lost": sum(1 for text in tally.sent_at if tally.received[text] == 0),
        "lines_twice": sum(1 for count in tally.received.values() if count > 1),
        "latency_ms": {
            name: {"p50": _ms(values, 0.5), "p95": _ms(values, 0.95), "max": _ms(values, 1.0)}
            for name, values in (("all", every), *tally.latencies.items())
        },
        "healthz_ms": {
            "p50": _ms(tally.healthz, 0.5),
            "p95": _ms(tally.healthz, 0.95),
            "n": len(tally.healthz),
        },
        "median_s": statistics.median(every) if every else None,
    }


def write(data: dict[str, Any]) -> Path:
    results = PROJECT_ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    name = f"chat-{data['vendor']}"
    (results / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    latency = data["latency_ms"]
    lines = [
        f"Live chat latency: {data['chats']} chats at once ({data['streams']} live streams), "
        f"{data['seconds']:.0f} s, {data['vendor']}, nproc {data['nproc']}, "
        f"gunicorn + uvicorn worker x{data['web_workers']} on 127.0.0.1",
        f"lines sent {data['lines_sent']}, refused {data['lines_refused']}, "
        f"lost {data['lines_lost']}, delivered twice {data['lines_twice']}",
        "",
        f"{'what':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}",
    ]
    for what, figures in latency.items():
        p50, p95, worst = figures["p50"], figures["p95"], figures["max"]
        lines.append(f"{'line, ' + what:<28} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f}")
    health = data["healthz_ms"]
    lines.append(f"{'/healthz (bare), same run':<28} {health['p50']:>8.1f} {health['p95']:>8.1f}")
    (results / f"{name}.txt").write_text("\n".join(lines) + "\n")
    return results / f"{name}.txt"


def run() -> Path:
    url = _database_url()
    pairs = prepare(url)
    from django.db import connection

    from bench.server import free_loopback_port, wait_until_serving

    port = free_loopback_port()
    log_path = PROJECT_ROOT / "var" / "bench-chat-server.log"
    command = [sys.executable, "-m", "gunicorn", "servicedesk.config.asgi"]
    command += ["--worker-class", "uvicorn_worker.UvicornWorker", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}"]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": url},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}", server, log_path.name)
            tally = asyncio.run(drive(port, pairs))
        finally:
            server.terminate()
            server.wait(timeout=15)
    path = write(report(connection.vendor, tally))
    print(path.read_text())
    return path


if __name__ == "__main__":
    run()
