"""Where an API create spends its time, in-process: queries, the write transaction, Python.

Prepares the benchmark database of `bench.run` (as `bench.api_bench` does), creates an API token
for the demo agent `desk`, and files `--creates` incidents through Django's test client with the
same body as `bench.api_bench` (the whole stack: middleware, token, django-ninja, the service),
after a warm-up. For each create it records:

- the wall time of the request, and the time spent in the database (each query's execution,
  from sending it to its answer, through `connection.execute_wrapper`);
- the time inside the outermost transaction: on SQLite the time the one write lock is held
  (`BEGIN IMMEDIATE` to `COMMIT`), which every other writer waits for, so it bounds the creates
  per second at any concurrency (on PostgreSQL no other filing waits on it);
- the queries, inside the transaction and out.

Then it profiles the same creates with cProfile and adds up the time spent in each part of the
code (the service's apps, Django's ORM, django-ninja and pydantic, templates, the driver), so
that what is Python and what is the database can be told apart. `--bare` does the same for the
bare one-row insert of `bench/bare.py`.

Writes `bench/results/write-profile-<vendor>.txt` and `.json`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT
from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database
from bench.results import run_summary, write_result_files

USERNAME = "desk"
CREATE_PATH = "/api/v1/tickets"
BARE_PATH = "/bench/bare/insert"
WARM_UP = 10
# Parts of the code a profile's time is added up under: the first whose marker is in the
# function's file name wins, so the specific ones come first.
PARTS: list[tuple[str, str]] = [
    ("servicedesk/sla/", "SLA (rules, engine, clocks)"),
    ("servicedesk/notifications/", "notifications (inbox, mail rendering)"),
    ("servicedesk/api/", "API (token, schemas, webhooks)"),
    ("servicedesk/tickets/", "tickets (service, history, access)"),
    ("servicedesk/", "other servicedesk"),
    ("django/template", "templates"),
    ("django/db/backends", "database driver layer"),
    ("django/db/models/sql", "ORM SQL compiling"),
    ("django/db", "ORM"),
    ("django/test", "test client"),
    ("django/", "Django (request, middleware, other)"),
    ("ninja/", "django-ninja"),
    ("pydantic", "pydantic"),
    ("sqlite3", "SQLite (sqlite3 module)"),
    ("psycopg", "psycopg"),
    ("{method", "C calls (driver and builtins)"),
    ("{built-in", "C calls (driver and builtins)"),
]


@dataclass
class CreateTrace:
    """One request: what it cost, and what its transaction held."""

    total_ms: float = 0.0
    cpu_ms: float = 0.0  # this process's CPU time: what the load of others does not inflate
    query_ms: float = 0.0
    queries: int = 0
    queries_in_transaction: int = 0
    transaction_ms: float = 0.0
    statements: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    path: str
    creates: int
    total_p50_ms: float
    cpu_p50_ms: float
    query_p50_ms: float
    transaction_p50_ms: float
    python_p50_ms: float  # total minus the time in queries
    queries: int
    queries_in_transaction: int
    # The most creates one process or many can make per second while the transaction (SQLite's
    # write lock) is held this long, one after the other.
    transaction_bound_per_second: float
    statements: list[str]
    parts_ms: dict[str, float]
    top_functions: list[str]


class Tracer:
    """Times the queries and the outermost transaction of the current request."""

    def __init__(self) -> None:
        self.trace = CreateTrace()
        self.transaction_started: float | None = None

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        from django.db import connection

        started = time.perf_counter()
        in_transaction = connection.in_atomic_block
        if in_transaction and self.transaction_started is None:
            self.transaction_started = started
        try:
            return execute(sql, params, many, context)
        finally:
            self.trace.query_ms += (time.perf_counter() - started) * 1000
            self.trace.queries += 1
            self.trace.queries_in_transaction += int(in_transaction)
            self.trace.statements.append(("  in  " if in_transaction else "  out ") + sql[:150])

    def committed(self) -> None:
        if self.transaction_started is not None:
            self.trace.transaction_ms += (time.perf_counter() - self.transaction_started) * 1000
            self.transaction_started = None


@contextmanager
def traced(tracer: Tracer) -> Iterator[None]:
    """Route every query through `tracer` and tell it when the outermost transaction ends."""
    from django.db import connection

    commit = connection.commit
    rollback = connection.rollback

    def commit_and_note() -> None:
        commit()
        tracer.committed()

    def rollback_and_note() -> None:
        rollback()
        tracer.committed()

    connection.commit = commit_and_note  # type: ignore[method-assign]
    connection.rollback = rollback_and_note  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(tracer):
            yield
    finally:
        del connection.commit
        del connection.rollback


def body(index: int) -> str:
    import json

    from bench.api_client import incident

    return json.dumps(incident(index))


def part_of(filename: str) -> str:
    for marker, part in PARTS:
        if marker in filename:
            return part
    return "other (stdlib, libraries)"


def profile_parts(stats: pstats.Stats, creates: int) -> tuple[dict[str, float], list[str]]:
    """Own time (tottime) per part of the code, in ms per create, and the costliest functions
    by cumulative time."""
    parts: dict[str, float] = defaultdict(float)
    rows = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _cum, _callers) in rows.items():
        parts[part_of(filename)] += tottime * 1000 / creates
    ordered = dict(sorted(((k, round(v, 2)) for k, v in parts.items()), key=lambda kv: -kv[1]))
    by_cumulative = sorted(rows.items(), key=lambda item: -item[1][3])
    top = []
    for (filename, line, name), (_cc, calls, tottime, cumulative, _callers) in by_cumulative:
        if "servicedesk/" not in filename and "ninja/" not in filename:
            continue
        short = filename.split("site-packages/")[-1].split("src/")[-1]
        top.append(
            f"{cumulative * 1000 / creates:7.2f} ms cum {tottime * 1000 / creates:6.2f} ms own "
            f"{calls / creates:5.1f}× {short}:{line} {name}"
        )
        if len(top) == 40:
            break
    return ordered, top


def measure(path: str, token: str, creates: int, first: int) -> Summary:
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})

    def post(index: int) -> None:
        response = client.post(path, body(index), content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")

    for index in range(first, first + WARM_UP):
        post(index)
    traces = []
    for index in range(first + WARM_UP, first + WARM_UP + creates):
        tracer = Tracer()
        with traced(tracer):
            started, cpu_started = time.perf_counter(), time.process_time()
            post(index)
            tracer.trace.total_ms = (time.perf_counter() - started) * 1000
            tracer.trace.cpu_ms = (time.process_time() - cpu_started) * 1000
        traces.append(tracer.trace)
    profiler = cProfile.Profile()
    start = first + WARM_UP + creates
    profiler.enable()
    for index in range(start, start + creates):
        post(index)
    profiler.disable()
    parts, top = profile_parts(pstats.Stats(profiler), creates)

    def p50(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    transaction_p50 = p50([trace.transaction_ms for trace in traces])
    return Summary(
        path=path,
        creates=creates,
        total_p50_ms=p50([trace.total_ms for trace in traces]),
        cpu_p50_ms=p50([trace.cpu_ms for trace in traces]),
        query_p50_ms=p50([trace.query_ms for trace in traces]),
        transaction_p50_ms=transaction_p50,
        python_p50_ms=p50([trace.total_ms - trace.query_ms for trace in traces]),
        queries=traces[-1].queries,
        queries_in_transaction=traces[-1].queries_in_transaction,
        transaction_bound_per_second=round(1000 / transaction_p50, 1) if transaction_p50 else 0,
        statements=traces[-1].statements,
        parts_ms=parts,
        top_functions=top,
    )


def report_lines(summary: dict[str, Any], results: list[Summary]) -> list[str]:
    lines = [
        f"Servicedesk write profile, {summary['date']}",
        f"database: {summary['vendor']}, {summary['tickets']:,} tickets; machine: nproc "
        f"{summary['nproc']}; load average at the start: {summary['load']}",
        "In-process (Django's test client, one request at a time), after "
        f"{WARM_UP} warm-up requests; p50 over {summary['creates']} requests each.",
        "",
        f"{'request':<22} {'total ms':>9} {'CPU ms':>7} {'queries ms':>11} {'Python ms':>10} "
        f"{'transaction ms':>15} {'queries':>8} {'in tx':>6} {'tx-bound/s':>11}",
    ]
    for result in results:
        lines.append(
            f"POST {result.path:<17} {result.total_p50_ms:>9.2f} {result.cpu_p50_ms:>7.2f} "
            f"{result.query_p50_ms:>11.2f} "
            f"{result.python_p50_ms:>10.2f} {result.transaction_p50_ms:>15.2f} "
            f"{result.queries:>8} {result.queries_in_transaction:>6} "
            f"{result.transaction_bound_per_second:>11.1f}"
        )
    lines += [
        "",
        "CPU ms: this process's CPU time for the request (the web process's share, without the "
        "database server's; what other programs on a busy machine do not inflate).",
        "tx-bound/s: 1000 ÷ the transaction's ms, on SQLite the most creates a second while "
        "each holds the one write lock that long; on PostgreSQL filings hold nothing another "
        "filing waits on (the number is taken before the transaction), so it bounds nothing.",
    ]
    for result in results:
        lines += ["", f"POST {result.path}: own time per request under cProfile, by part (ms)"]
        lines += [f"  {ms:7.2f}  {part}" for part, ms in result.parts_ms.items()]
        lines += ["", f"POST {result.path}: the queries of one request"]
        lines += result.statements
        if result.top_functions:
            lines += ["", f"POST {result.path}: the app's costliest calls (cProfile, per request)"]
            lines += [f"  {row}" for row in result.top_functions]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.write_profile", description=__doc__)
    parser.add_argument("--creates", type=int, default=100, help="Timed requests per endpoint.")
    parser.add_argument("--bare", action="store_true", help="Profile the bare insert as well.")
    args = parser.parse_args(argv)
    if args.creates < 1:
        parser.error("--creates must be at least 1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    for name, value in _bench_limits().items():
        os.environ.setdefault(name, value)
    tickets = int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS))
    vendor, count = prepare_database(bench_database_url(), tickets)

    import logging

    from bench.bare import ensure_table
    from servicedesk.api.services import token_create, token_revoke
    from servicedesk.directory.models import Person

    logging.getLogger("servicedesk.access").setLevel(logging.WARNING)  # a line per request
    ensure_table()
    desk = Person.objects.get(username=USERNAME)
    token, plaintext = token_create(desk, "bench/write_profile.py")
    load = os.getloadavg()
    try:
        paths = [CREATE_PATH, *([BARE_PATH] if args.bare else [])]
        results = [measure(path, plaintext, args.creates, 0) for path in paths]
    finally:
        token_revoke(token, desk)
    summary = run_summary(
        vendor, count, creates=args.creates, load=" ".join(f"{value:.2f}" for value in load)
    )
    lines = report_lines(summary, results)
    data = {**summary, "results": [asdict(result) for result in results]}
    written: Path = write_result_files(f"write-profile-{vendor}", data, lines)
    print(written.read_text())
    print(f"Written to {written.relative_to(PROJECT_ROOT)} and .json")
    return 0


def _bench_limits() -> dict[str, str]:
    from bench.server import BENCH_LIMITS

    return BENCH_LIMITS


if __name__ == "__main__":
    sys.exit(main())
