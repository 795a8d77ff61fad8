"""`make bench`: time the first pages of the agent and the employee against a full database.

Prepares a benchmark database (SQLite `var/bench.sqlite3`, or `BENCH_DATABASE_URL`) holding
`BENCH_TICKETS` tickets (100,000 by default; generated once, reused afterwards), serves it with
gunicorn on a free loopback port, signs in as the demo users, and times rounds of requests of
`/healthz` (bare Django: the baseline), the workspace's first page, queues and search as the desk
(serving every agency) and as an agent scoped to one agency, and `/portal/`. Writes the figures to
`bench/results/pages-<vendor>.txt` and `.json`, then runs the API benchmark (`bench/api_bench.py`)
and the SLA benchmarks (`bench/sla_replan.py`, `bench/sla_engine_bench.py` if present), the
major incident benchmark and the live chat latency benchmark (`bench/chat_bench.py`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT
from bench.browser import Browser, time_requests
from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database
from bench.queries import query_profile
from bench.results import load_average, run_summary, sized_name, write_result_files
from bench.server import WEB_WORKERS, gunicorn

SLA_ENGINE_BENCH = PROJECT_ROOT / "bench" / "sla_engine_bench.py"
SCOPED_AGENT = "network"  # the demo's Network Services serves one agency (demo.GROUP_AGENCIES)
# (label, who signs in, path): the bare endpoint first, every ratio is against it. The desk's
# group serves every agency; the scoped agent's pages pay for tickets.access's condition.
PAGES = [
    ("healthz", None, "/healthz"),
    ("workspace", "desk", "/workspace/"),
    ("workspace", SCOPED_AGENT, "/workspace/"),
    ("new queue", "desk", "/workspace/queues/new/"),
    ("group queue", "desk", "/workspace/queues/my-groups/"),
    ("group queue", SCOPED_AGENT, "/workspace/queues/my-groups/"),
    ("all open", SCOPED_AGENT, "/workspace/queues/all-open/"),
    # The other queues of the workspace's navigation, as the desk.
    ("uncategorized queue", "desk", "/workspace/queues/uncategorized/"),
    ("my open queue", "desk", "/workspace/queues/my-open/"),
    ("breaching soon queue", "desk", "/workspace/queues/breaching-soon/"),
    ("overdue queue", "desk", "/workspace/queues/overdue/"),
    ("waiting queue", "desk", "/workspace/queues/waiting/"),
    ("to verify queue", "desk", "/workspace/queues/to-verify/"),
    ("all open", "desk", "/workspace/queues/all-open/"),
    ("search", "desk", "/workspace/queues/all-open/?q=vpn"),
    ("search", SCOPED_AGENT, "/workspace/queues/all-open/?q=vpn"),
    ("portal", "employee", "/portal/"),
    # The API's list through the desk's signed-in session (the UI's way in; tokens are timed by
    # bench/api_bench.py).
    ("api list", "desk", "/api/v1/tickets?limit=50"),
    # The reports' dashboard over its default 28 days: every figure, as the desk's manager (sees
    # every ticket) and as the agent scoped to one agency.
    ("reports", "manager", "/workspace/reports/"),
    ("reports", SCOPED_AGENT, "/workspace/reports/"),
]


@dataclass(frozen=True)
class PageTiming:
    page: str
    path: str
    user: str | None
    p50_ms: float
    p95_ms: float
    mean_ms: float
    ratio_to_healthz: float
    queries: int | None
    slowest_query_ms: float | None
    slowest_query: str | None


def ticket_pages() -> list[tuple[str, str | None, str]]:
    """The pages of one ticket and of a frequent filer, picked in the database at hand: the
    agent's page of the newest open ticket with a conversation (as the desk, and as the scoped
    agent on one of theirs), the API's detail of it, and the portal home and newest ticket of
    the requester who filed most (their home lists the most to choose from)."""
    from django.db.models import Count

    from servicedesk.directory.models import Person
    from servicedesk.tickets.access import visible_tickets
    from servicedesk.tickets.models import Ticket
    from servicedesk.tickets.workflow import OPEN_STATES

    def newest_open(tickets: Any) -> str:
        found = tickets.filter(state__in=OPEN_STATES, comments__isnull=False)
        number: str = found.order_by("-created_at").values_list("number", flat=True)[0]
        return number

    desk_ticket = newest_open(Ticket.objects.all())
    scoped = visible_tickets(Person.objects.get(username=SCOPED_AGENT))
    busiest = Ticket.objects.values("requester").annotate(filed=Count("pk")).order_by("-filed")
    requester = Person.objects.get(pk=busiest[0]["requester"])
    own = Ticket.objects.filter(requester=requester).order_by("-created_at")
    return [
        ("agent ticket", "desk", f"/workspace/tickets/{desk_ticket}/"),
        ("agent ticket", SCOPED_AGENT, f"/workspace/tickets/{newest_open(scoped)}/"),
        ("api detail", "desk", f"/api/v1/tickets/{desk_ticket}"),
        ("portal", requester.username, "/portal/"),
        ("portal ticket", requester.username, f"/portal/tickets/{own[0].number}/"),
    ]


def measure_pages(
    base: str, warm_up: int, samples: int, only: str | None = None
) -> list[PageTiming]:
    """Each round requests every page once, in turn: on a shared machine whose speed drifts
    over minutes, every page is timed under the same conditions as `/healthz` beside it (timed
    page after page, a page measured in a slow minute read 60 % slower than its neighbours)."""
    from servicedesk.demo.organisation import DEMO_PASSWORD

    every = PAGES + ticket_pages()
    chosen = [page for page in every if not only or page[0] in {"healthz", only}]
    visitors = []
    for _, username, path in chosen:
        browser = Browser(base)
        if username:
            browser.sign_in(username, DEMO_PASSWORD)
        visitors.append((browser, path))
    timings: list[list[float]] = [[] for _ in chosen]
    for _ in range(warm_up):
        for browser, path in visitors:
            browser.get(path)
    for _ in range(samples):
        for n, (browser, path) in enumerate(visitors):
            timings[n] += time_requests(browser, path, 0, 1)
    baseline = statistics.median(timings[0])
    measured = [
        _page_timing(label, username, path, timed, baseline)
        for (label, username, path), timed in zip(chosen, timings, strict=True)
    ]
    for page in measured:
        print(
            f"  {page.path:<36} {page.user or '-':<9} p50 {page.p50_ms:8.1f} ms  "
            f"({page.ratio_to_healthz:.1f}× healthz)",
            flush=True,
        )
    return measured


def _page_timing(
    label: str, username: str | None, path: str, timings: list[float], baseline: float
) -> PageTiming:
    p50 = statistics.median(timings)
    profile = query_profile(username, path)
    return PageTiming(
        page=label,
        path=path,
        user=username,
        p50_ms=round(p50, 2),
        p95_ms=round(statistics.quantiles(timings, n=20)[18], 2),
        mean_ms=round(statistics.fmean(timings), 2),
        ratio_to_healthz=round(p50 / baseline, 1),
        queries=profile[0] if profile else None,
        slowest_query_ms=round(profile[1], 1) if profile else None,
        slowest_query=profile[2] if profile else None,
    )


def write_results(summary: dict[str, Any], pages: list[PageTiming]) -> Path:
    name = sized_name(f"pages-{summary['vendor']}", summary["size"])
    data = {**summary, "pages": [asdict(page) for page in pages]}
    lines = [
        f"Servicedesk page benchmark, {summary['date']}",
        f"database: {summary['vendor']}, {summary['tickets']:,} tickets; machine: nproc "
        f"{summary['nproc']}; served as `servicedesk serve` does: gunicorn, {WEB_WORKERS} "
        "uvicorn (ASGI) workers on 127.0.0.1",
        f"{summary['samples']} rounds after {summary['warm_up']} warm-up rounds, each one "
        "request of every page in turn, a new connection each (urllib)",
        f"load average (1, 5, 15 min): {summary['load_before']} before the pages, "
        f"{summary['load_after']} after",
        "",
        f"{'page':<36} {'user':<9} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'p50/healthz':>12}"
        f" {'queries':>8} {'slowest query ms':>17}",
    ]
    for page in pages:
        slowest = "" if page.slowest_query_ms is None else f"{page.slowest_query_ms:.1f}"
        lines.append(
            f"{page.path:<36} {page.user or '-':<9} {page.p50_ms:>8.1f} {page.p95_ms:>8.1f} "
            f"{page.mean_ms:>8.1f} {page.ratio_to_healthz:>11.1f}× "
            f"{page.queries if page.queries is not None else '':>8} {slowest:>17}"
        )
    lines.append("")
    for page in pages:
        if page.slowest_query:
            lines += [
                f"Slowest query of {page.path} as {page.user or 'anyone'} (in-process):",
                page.slowest_query,
            ]
    return write_result_files(name, data, lines)


def run_sla_engine_bench() -> int:
    """The SLA engine benchmark lives in its own module, written separately; run it if present."""
    if not SLA_ENGINE_BENCH.exists():
        print("bench/sla_engine_bench.py not found; skipping the SLA engine benchmark.")
        return 0
    print("Running the SLA engine benchmark (bench/sla_engine_bench.py)...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.sla_engine_bench"],
        cwd=PROJECT_ROOT,
        timeout=1800,
        check=False,
    )
    if done.returncode:
        print(f"The SLA engine benchmark failed with exit code {done.returncode}.")
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--skip-sla", action="store_true", help="No SLA benchmarks.")
    parser.add_argument("--skip-api", action="store_true", help="No API benchmark.")
    parser.add_argument("--skip-exports", action="store_true", help="No CSV export benchmark.")
    parser.add_argument("--only", help="Time only the pages with this label (e.g. reports).")
    parser.add_argument("--skip-major", action="store_true", help="No major-incident benchmark.")
    parser.add_argument("--skip-mail", action="store_true", help="No inbound mail benchmark.")
    parser.add_argument("--skip-chat", action="store_true", help="No live chat benchmark.")
    parser.add_argument("--skip-live", action="store_true", help="No live-poll benchmark.")
    args = parser.parse_args(argv)
    tickets = int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS))
    url = bench_database_url()
    vendor, count = prepare_database(url, tickets)
    print(f"Timing pages against {count:,} tickets on {vendor}...", flush=True)
    load_before = load_average()
    with gunicorn(url) as base:
        pages = measure_pages(base, args.warm_up, args.samples, args.only)
        load_after = load_average()
        if not args.only and not args.skip_live:
            from bench import live_bench

            live_bench.run(base, vendor, count, args.warm_up, args.samples)
    summary = run_summary(
        vendor,
        count,
        size=tickets,
        samples=args.samples,
        warm_up=args.warm_up,
        load_before=load_before,
        load_after=load_after,
    )
    written = write_results(summary, pages)
    print(written.read_text())
    print(f"Written to {written.relative_to(PROJECT_ROOT)} and .json")
    if not args.skip_exports:
        from bench import export_bench

        export_bench.run(url, vendor, count)
    if not args.skip_api:
        from bench import api_bench

        api_bench.run(url, vendor, count)
    failed = 0
    if not args.skip_sla:
        from bench import sla_replan

        print("Timing the SLA re-plan after a holiday is added...", flush=True)
        sla_replan.main()
        failed = run_sla_engine_bench()
    if not args.skip_major:
        failed = run_major_incident_bench() or failed
    if not args.skip_mail:
        failed = run_mail_ingest_bench() or failed
    if not args.skip_chat:
        failed = run_own_database_bench("bench.chat_bench", "live chat latency") or failed
    return failed


# The inbound mail benchmark's PostgreSQL database (created if missing, flushed on each run).
MAIL_POSTGRES_URL = "postgres://servicedesk:servicedesk@127.0.0.1:5432/servicedesk_bench_mail"


def run_mail_ingest_bench() -> int:
    """Inbound mail on SQLite, then on PostgreSQL (`BENCH_MAIL_POSTGRES_URL`, by default the
    local server's `servicedesk_bench_mail`; skipped with a word if no server answers)."""
    failed = 0
    postgres = os.environ.get("BENCH_MAIL_POSTGRES_URL") or MAIL_POSTGRES_URL
    for label, url in (("SQLite", None), ("PostgreSQL", postgres)):
        print(f"Timing inbound mail on {label}...", flush=True)
        command = [sys.executable, "-m", "bench.mail_ingest"]
        if url:
            command += ["--database-url", url]
        done = subprocess.run(command, cwd=PROJECT_ROOT, timeout=1800, check=False)
        if done.returncode and url:
            print("The mail benchmark on PostgreSQL did not run (is a server reachable?).")
        elif done.returncode:
            failed = done.returncode
    return failed


def run_own_database_bench(module: str, what: str) -> int:
    """A benchmark on its own database, so in a process of its own (Django is set up here)."""
    print(f"Timing {what}...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", module], cwd=PROJECT_ROOT, timeout=1800, check=False
    )
    return done.returncode


def run_major_incident_bench() -> int:
    """On its own database, so in a process of its own (Django is set up on this one)."""
    print("Timing a major incident with 1,000 children...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.major_incident_bench"],
        cwd=PROJECT_ROOT,
        timeout=1800,
        check=False,
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
