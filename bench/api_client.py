"""The API benchmark's client: one connection with a token per thread, and batches of creates
from several threads started together."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from bench.browser import REQUEST_TIMEOUT

USERNAME = "desk"  # the demo L1 agent: staff, so triage fields are accepted and every ticket seen


TICKETS_PATH = "/api/v1/tickets"


BARE_INSERT_PATH = "/bench/bare/insert"  # bench/bare.py: one row, one transaction, no more


CREATE_WARM_UP = 10


THREAD_DEADLINE = 600  # seconds for a whole concurrent batch; each request has its own timeout


class UnexpectedResponseError(RuntimeError):
    """A response other than the one expected."""


class ApiClient:
    """One HTTP/1.1 connection (http.client) with the token; not shared between threads.

    The server (uvicorn's workers) keeps the connection alive, so each client reuses its own;
    were it closed, http.client would open a new one for the next request by itself."""

    def __init__(self, base: str, token: str) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname != "127.0.0.1" or parts.port is None:
            raise ValueError(f"the benchmark only talks to 127.0.0.1, not {base}")
        self.connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=REQUEST_TIMEOUT
        )
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        """Send, read the whole answer, return its body; raise unless it is a 200 (201 for POST)."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # start afresh on the next request
            raise
        expected = 201 if method == "POST" else 200
        if response.status != expected:
            raise UnexpectedResponseError(f"{method} {path}: {response.status} {content[:300]!r}")
        return content

    def timed(self, method: str, path: str, body: dict[str, Any] | None = None) -> float:
        """Milliseconds for one request, from sending to the last byte of the answer."""
        started = time.perf_counter()
        self.request(method, path, body)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def incident(index: int) -> dict[str, Any]:
    """A valid `TicketCreateIn` body: an incident with impact and severity, as the desk files."""
    return {
        "kind": "incident",
        "short_description": f"API benchmark: printer on floor 3 offline ({index})",
        "description": "Filed by bench/api_bench.py to time ticket creation through the API.",
        "impact": "individual",
        "severity": "degradation",
    }


def create_batch(
    client: ApiClient, path: str, indexes: range, timings: list[float], errors: list[str]
) -> None:
    """File one incident per index; failures are counted, not timed (and do not stop the run)."""
    for index in indexes:
        try:
            timings.append(client.timed("POST", path, incident(index)))
        except (UnexpectedResponseError, OSError, http.client.HTTPException) as failure:
            errors.append(str(failure) or type(failure).__name__)


@dataclass
class BatchRun:
    """What the client threads of one or more batches saw: each request's ms, the failures, and
    the wall-clock seconds the batches took."""

    timings: list[float]
    errors: list[str]
    seconds: float


def run_batch(
    base: str, token: str, concurrency: int, creates: int, first_index: int, path: str
) -> BatchRun:
    """`creates` requests from `concurrency` threads (a connection each), started together;
    the seconds are from the start to the last answer."""
    per_thread = [
        range(first_index + start, first_index + creates, concurrency)
        for start in range(concurrency)
    ]
    timings: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[list[str]] = [[] for _ in range(concurrency)]
    clients = [ApiClient(base, token) for _ in range(concurrency)]
    start = threading.Barrier(concurrency + 1)

    def work(number: int) -> None:
        start.wait(timeout=30)
        create_batch(clients[number], path, per_thread[number], timings[number], errors[number])

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait(timeout=30)
    started = time.perf_counter()
    deadline = started + THREAD_DEADLINE
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    seconds = time.perf_counter() - started
    for client in clients:
        client.close()
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError(f"concurrency {concurrency}: not done within {THREAD_DEADLINE} s")
    return BatchRun(
        [timing for batch in timings for timing in batch],
        [error for batch in errors for error in batch],
        seconds,
    )
