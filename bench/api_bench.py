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
import os
import statistics
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench import PROJECT_ROOT
from bench.api_client import (
    BARE_INSERT_PATH,
    CREATE_WARM_UP,
    TICKETS_PATH,
    USERNAME,
    ApiClient,
    BatchRun,
    incident,
    run_batch,
)
from bench.api_report import CreateTiming, ReadTiming, write_api_results
from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database
from bench.queries import query_profile
from bench.results import run_summary
from bench.server import gunicorn

# Concurrency 8 on a 2-core machine: a request holds its worker's thread for its whole
# life, including the time it waits on the database (and, on SQLite, on the single write lock).
# Four workers (gunicorn's usual 2 × cores) keep both cores busy while some of them wait, and let
# the 8 clients actually contend on the database; 8 workers would only add context switches
# (the 8 client threads already compete for the same two cores), 2 would queue most requests in
# the listen backlog and measure the queue rather than the app.
API_WORKERS = 4
# (label, path): the bare endpoint first, every ratio is against it.
READS = [
    ("healthz", "/healthz"),
    ("list", f"{TICKETS_PATH}?limit=50"),
    ("list new, newest first", f"{TICKETS_PATH}?limit=50&state=new&ordering=-created_at"),
]


def load_average() -> str:
    """`uptime`'s three figures, as the results record them beside the rates."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def p95(timings: Sequence[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]


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
    """Time the API against a prepared database (`bench.database.prepare_database`); returns
    the .txt path."""
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
