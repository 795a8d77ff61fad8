"""The REST API under load: tickets created per second, and the ticket list at 100,000 tickets.

Prepares the benchmark database of `bench.run` (SQLite `var/bench.sqlite3`, or
`BENCH_DATABASE_URL`; `BENCH_TICKETS` tickets, 100,000 by default), creates an API token for the
demo agent `desk` in-process, serves the app as `servicedesk serve` does (gunicorn, 4 ASGI
workers) on a free loopback port and times, with the stdlib HTTP client and `Authorization: Bearer`:

1. `GET /healthz`, sequentially: the baseline every p50 is compared with;
2. `POST /api/v1/tickets` filing incidents, one at a time (concurrency 1) and from 8 threads at
   once (concurrency 8): creates per second and p50/p95 latency, each batch after the same batch
   against the bare one-row insert (`POST /bench/bare/insert`, `bench/bare.py`), whose rate the
   create's is compared with;
3. `GET /api/v1/tickets?limit=50`, plain and with a filter and an ordering, sequentially.

Writes `bench/results/api-<vendor>.txt` and `.json`. Every run adds its created tickets (about
500) to the benchmark database, so its ticket count creeps up; the token is revoked at the end.
`make bench` runs it after the page benchmark (`python -m bench.run --skip-api` leaves it out).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench.run import (
    DEFAULT_TICKETS,
    PROJECT_ROOT,
    REQUEST_TIMEOUT,
    bench_database_url,
    gunicorn,
    prepare_database,
    query_profile,
    run_summary,
    write_result_files,
)

# Concurrency 8 on a 2-core machine: a request holds its worker's thread for its whole
# life, including the time it waits on the database (and, on SQLite, on the single write lock).
# Four workers (gunicorn's usual 2 × cores) keep both cores busy while some of them wait, and let
# the 8 clients actually contend on the database; 8 workers would only add context switches
# (the 8 client threads already compete for the same two cores), 2 would queue most requests in
# the listen backlog and measure the queue rather than the app.
API_WORKERS = 4
USERNAME = "desk"  # the demo L1 agent: staff, so triage fields are accepted and every ticket seen
TICKETS_PATH = "/api/v1/tickets"
BARE_INSERT_PATH = "/bench/bare/insert"  # bench/bare.py: one row, one transaction, no more
# (label, path): the bare endpoint first, every ratio is against it.
READS = [
    ("healthz", "/healthz"),
    ("list", f"{TICKETS_PATH}?limit=50"),
    ("list new, newest first", f"{TICKETS_PATH}?limit=50&state=new&ordering=-created_at"),
]
CREATE_WARM_UP = 10
THREAD_DEADLINE = 600  # seconds for a whole concurrent batch; each request has its own timeout


class UnexpectedResponseError(RuntimeError):
    """A response other than the one expected."""


@dataclass(frozen=True)
class CreateTiming:
    path: str
    concurrency: int
    creates: int
    errors: int
    seconds: float
    creates_per_second: float
    p50_ms: float
    p95_ms: float
    ratio_to_healthz: float
    first_error: str | None
    # creates/s ÷ the bare insert's creates/s at the same concurrency, in the same run
    rate_to_bare: float | None = None


@dataclass(frozen=True)
class ReadTiming:
    label: str
    path: str
    samples: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    ratio_to_healthz: float
    queries: int | None
    slowest_query_ms: float | None
    slowest_query: str | None


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


def load_average() -> str:
    """`uptime`'s three figures, as the results record them beside the rates."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def incident(index: int) -> dict[str, Any]:
    """A valid `TicketCreateIn` body: an incident with impact and severity, as the desk files."""
    return {
        "kind": "incident",
        "short_description": f"API benchmark: printer on floor 3 offline ({index})",
        "description": "Filed by bench/api_bench.py to time ticket creation through the API.",
        "impact": "individual",
        "severity": "degradation",
    }


def p95(timings: Sequence[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]


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


def timing_of(runs: list[BatchRun], path: str, concurrency: int, baseline: float) -> CreateTiming:
    """One figure for the batches of one endpoint: the creates of all over their seconds."""
    done = [timing for run in runs for timing in run.timings]
    failed = [error for run in runs for error in run.errors]
    if not done:
        raise RuntimeError(f"concurrency {concurrency}: every create failed: {failed[0]}")
    seconds = sum(run.seconds for run in runs)
    p50 = statistics.median(done)
    return CreateTiming(
        path=path,
        concurrency=concurrency,
        creates=len(done),
        errors=len(failed),
        seconds=round(seconds, 2),
        creates_per_second=round(len(done) / seconds, 1),
        p50_ms=round(p50, 2),
        p95_ms=round(p95(done), 2),
        ratio_to_healthz=round(p50 / baseline, 1),
        first_error=failed[0] if failed else None,
    )


def time_creates(
    base: str,
    token: str,
    concurrency: int,
    creates: int,
    first_index: int,
    baseline: float,
    path: str = TICKETS_PATH,
) -> CreateTiming:
    """`creates` incidents from `concurrency` threads (a connection each), started together;
    the rate is over the wall-clock time from the start to the last answer."""
    run = run_batch(base, token, concurrency, creates, first_index, path)
    return timing_of([run], path, concurrency, baseline)


def time_reads(base: str, token: str, warm_up: int, samples: int) -> list[ReadTiming]:
    measured: list[ReadTiming] = []
    baseline = 0.0
    client = ApiClient(base, token)
    try:
        for label, path in READS:
            for _ in range(warm_up):
                client.request("GET", path)
            timings = [client.timed("GET", path) for _ in range(samples)]
            p50 = statistics.median(timings)
            baseline = baseline or p50
            # In-process, through the UI session (the API accepts it): the queries behind it.
            profile = query_profile(USERNAME, path) if path.startswith("/api/") else None
            measured.append(
                ReadTiming(
                    label=label,
                    path=path,
                    samples=samples,
                    p50_ms=round(p50, 2),
                    p95_ms=round(p95(timings), 2),
                    mean_ms=round(statistics.fmean(timings), 2),
                    ratio_to_healthz=round(p50 / baseline, 1),
                    queries=profile[0] if profile else None,
                    slowest_query_ms=round(profile[1], 1) if profile else None,
                    slowest_query=profile[2] if profile else None,
                )
            )
            print(f"  GET {path:<60} p50 {p50:8.1f} ms  ({p50 / baseline:.1f}× healthz)")
    finally:
        client.close()
    return measured


def time_all_creates(
    base: str, token: str, baseline: float, batches: list[tuple[int, int]], rounds: int = 1
) -> list[CreateTiming]:
    """Each (concurrency, creates) batch against the bare insert and against the API, in
    `rounds` turns (bare, API, bare, API, …, a share of the creates each), so that both meet
    the same load on a shared machine; each rate is its creates over its turns' seconds, and
    the API's is compared with the bare insert's."""
    warm = ApiClient(base, token)
    try:
        for index in range(CREATE_WARM_UP):
            for path in (BARE_INSERT_PATH, TICKETS_PATH):
                warm.request("POST", path, incident(index))
    finally:
        warm.close()
    results: list[CreateTiming] = []
    first = CREATE_WARM_UP
    for threads, count in batches:
        turns = max(1, min(rounds, count // threads))
        runs: dict[str, list[BatchRun]] = {BARE_INSERT_PATH: [], TICKETS_PATH: []}
        for turn in range(turns):
            share = count // turns + (1 if turn < count % turns else 0)
            for path in (BARE_INSERT_PATH, TICKETS_PATH):
                runs[path].append(run_batch(base, token, threads, share, first, path))
            first += share
        bare = timing_of(runs[BARE_INSERT_PATH], BARE_INSERT_PATH, threads, baseline)
        api = timing_of(runs[TICKETS_PATH], TICKETS_PATH, threads, baseline)
        api = replace(api, rate_to_bare=round(api.creates_per_second / bare.creates_per_second, 2))
        for result in (bare, api):
            results.append(result)
            print(
                f"  POST {result.path} ×{count} at concurrency {threads} in {turns} turns: "
                f"{result.creates_per_second:.1f}/s, p50 {result.p50_ms:.1f} ms, "
                f"{result.errors} errors"
                + (f", {result.rate_to_bare:.2f} of the bare rate" if result.rate_to_bare else ""),
                flush=True,
            )
    return results


def write_api_results(
    summary: dict[str, Any], reads: list[ReadTiming], creates: list[CreateTiming]
) -> Path:
    data = {
        **summary,
        "reads": [asdict(read) for read in reads],
        "creates": [asdict(create) for create in creates],
    }
    lines = [
        f"Servicedesk API benchmark, {summary['date']}",
        f"database: {summary['vendor']}, {summary['tickets']:,} tickets at the start; machine: "
        f"nproc {summary['nproc']}; gunicorn: {summary['workers']} ASGI workers on 127.0.0.1",
        f"client: http.client with a token for {USERNAME} (agent); a connection per thread, which "
        "the server keeps alive",
        f"load average (uptime) before: {summary['load_before']}; after: {summary['load_after']}",
        "",
        f"POST {TICKETS_PATH} (incidents) beside the bare one-row insert {BARE_INSERT_PATH}, "
        f"after {CREATE_WARM_UP} warm-up creates each, in {summary['rounds']} turns of each in "
        "alternation; rate/bare: creates/s ÷ the bare insert's",
        f"{'endpoint':<20} {'concurrency':>11} {'creates':>8} {'errors':>7} {'seconds':>8} "
        f"{'creates/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p50/healthz':>12} {'rate/bare':>10}",
    ]
    for create in creates:
        ratio = "" if create.rate_to_bare is None else f"{create.rate_to_bare:.2f}"
        lines.append(
            f"{create.path:<20} {create.concurrency:>11} {create.creates:>8} {create.errors:>7} "
            f"{create.seconds:>8.2f} {create.creates_per_second:>10.1f} {create.p50_ms:>8.1f} "
            f"{create.p95_ms:>8.1f} {create.ratio_to_healthz:>11.1f}× {ratio:>10}"
        )
    for create in creates:
        if create.first_error:
            lines.append(
                f"First error of {create.path} at concurrency {create.concurrency}: "
                f"{create.first_error}"
            )
    lines += [
        "",
        f"GET, {summary['samples']} sequential requests each after {summary['warm_up']} warm-up",
        f"{'request':<62} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'p50/healthz':>12}"
        f" {'queries':>8} {'slowest query ms':>17}",
    ]
    for read in reads:
        slowest = "" if read.slowest_query_ms is None else f"{read.slowest_query_ms:.1f}"
        queries = "" if read.queries is None else str(read.queries)
        lines.append(
            f"{read.path:<62} {read.p50_ms:>8.1f} {read.p95_ms:>8.1f} {read.mean_ms:>8.1f} "
            f"{read.ratio_to_healthz:>11.1f}× {queries:>8} {slowest:>17}"
        )
    lines.append("")
    for read in reads:
        if read.slowest_query:
            lines += [
                f"Slowest query of {read.path} (in-process, one request):",
                read.slowest_query,
            ]
    return write_result_files(f"api-{summary['vendor']}", data, lines)


def run(
    database_url: str,
    vendor: str,
    tickets: int,
    *,
    creates: int = 100,
    concurrent_creates: int = 400,
    concurrency: int = 8,
    samples: int = 200,
    warm_up: int = 20,
    rounds: int = 4,
) -> Path:
    """Time the API against a prepared database (`bench.run.prepare_database`); the .txt path."""
    from django.db import connection

    from bench.bare import ensure_table
    from servicedesk.api.services import token_create, token_revoke
    from servicedesk.directory.models import Person

    ensure_table()
    desk = Person.objects.get(username=USERNAME)
    token, plaintext = token_create(desk, "bench/api_bench.py")
    connection.close()  # gunicorn's workers open their own
    print(f"Timing the API against {tickets:,} tickets on {vendor}...", flush=True)
    load_before = load_average()
    try:
        with gunicorn(database_url, workers=API_WORKERS, log_name="bench-api-gunicorn.log") as base:
            reads = time_reads(base, plaintext, warm_up, samples)
            baseline = reads[0].p50_ms
            results = time_all_creates(
                base,
                plaintext,
                baseline,
                [(1, creates), (concurrency, concurrent_creates)],
                rounds=rounds,
            )
    finally:
        token_revoke(token, desk)
    summary = run_summary(
        vendor,
        tickets,
        workers=API_WORKERS,
        samples=samples,
        warm_up=warm_up,
        rounds=rounds,
        load_before=load_before,
        load_after=load_average(),
    )
    written = write_api_results(summary, reads, results)
    print(written.read_text())
    print(f"Written to {written.relative_to(PROJECT_ROOT)} and .json")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_bench", description=__doc__)
    parser.add_argument("--creates", type=int, default=100, help="At concurrency 1.")
    parser.add_argument("--concurrent-creates", type=int, default=400, help="In all threads.")
    parser.add_argument("--concurrency", type=int, default=8, help="Client threads.")
    parser.add_argument("--samples", type=int, default=200, help="Per GET.")
    parser.add_argument(
        "--rounds", type=int, default=4, help="Turns of bare insert and API per batch."
    )
    parser.add_argument("--warm-up", type=int, default=20, help="Per GET.")
    args = parser.parse_args(argv)
    for name in ("creates", "concurrent_creates", "concurrency", "samples", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    tickets = int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS))
    url = bench_database_url()
    vendor, count = prepare_database(url, tickets)
    run(
        url,
        vendor,
        count,
        creates=args.creates,
        concurrent_creates=args.concurrent_creates,
        concurrency=args.concurrency,
        samples=args.samples,
        warm_up=max(0, args.warm_up),
        rounds=args.rounds,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
