"""Live pages at scale: what a poll of the portal ticket page costs when nothing changed.

A thousand requesters with their ticket page open each poll it every few seconds
(`SERVICEDESK_PORTAL_POLL_SECONDS`): the unchanged answer must cost no more than a bare request
plus one indexed look-up. Against the benchmark database (prepared as `bench.run` does), served
as `servicedesk serve` serves it (gunicorn, 2 uvicorn ASGI workers), signed in as the demo
employee `employee`, on one of their open tickets, it times sequentially:

1. `GET /healthz`: Django with no database (the baseline of every ratio);
2. `GET /bench/bare/lookup/<number>` with the employee's cookies: the bare request of a signed-in
   visitor (its session row) plus one indexed look-up of the ticket's version (`bench/bare.py`):
   the floor the unchanged poll is held to;
3. the poll as the page sends it (`?since=<fingerprint>&key=…`): the unchanged answer, 204;
4. the poll without the page's key (`?since=` only): the full road through the access policy;
5. the poll of a changed page (no `since`): the fragment, rendered.

The requests go round robin (one of each, then again), so that on a busy machine every path
meets the same load and the ratios hold.

Then, the same way, the workspace's polls as the demo agent `desk` on the newest open ticket:
`/healthz`, the bare signed-in look-up with the agent's cookies, the nav's queue counts (every
staff page polls them) unchanged (`?since=<version>`, 204) and counted, and the agent ticket
page's heartbeat unchanged (the page's key and `since`, 204; the agent's own presence row is
rewritten only every other beat of a real page, so rarely in this fast loop) and on the full
road (no key).

Queries are counted in-process (Django's test client, signed in as the employee). Writes
`bench/results/live-<vendor>.txt` and `.json`; `make bench` runs it after the pages.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT
from bench.browser import REQUEST_TIMEOUT, Browser
from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database
from bench.results import run_summary, write_result_files
from bench.server import gunicorn

USERNAME = "employee"
AGENT = "desk"
POLL_URL = re.compile(r'id="ticket-live"[^>]*hx-get="([^"]+)"')
NAV_POLL_URL = re.compile(r'hx-get="(/workspace/counts/[^"]+)"')
BEAT_URL = re.compile(r'id="presence"[^>]*hx-post="([^"]+)"')


@dataclass(frozen=True)
class PollTiming:
    label: str
    path: str
    status: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    ratio_to_healthz: float
    ratio_to_bare_lookup: float | None
    queries: int | None


def fetch(browser: Browser, path: str) -> tuple[int, bytes]:
    """Status and body of one GET with the visitor's cookies (a 204 has no body); a path
    starting with `POST ` is posted, with the CSRF token as htmx sends it."""
    if path.startswith("POST "):
        token = next(cookie.value for cookie in browser.cookies if cookie.name == "csrftoken")
        request = urllib.request.Request(
            browser.base + path.removeprefix("POST "),
            data=b"",
            headers={"X-CSRFToken": token or "", "HX-Request": "true"},
        )
    else:
        request = urllib.request.Request(browser.base + path)
    with browser.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
        return response.status, response.read()


def polled_ticket() -> str:
    """The number of one of the employee's open tickets, the newest (its page polls). A fresh
    benchmark database holds only the generated requesters' tickets: the employee then files
    one through the portal's service, as they would."""
    from servicedesk.directory.models import Person
    from servicedesk.tickets.choices import TicketKind
    from servicedesk.tickets.models import Ticket
    from servicedesk.tickets.services import ticket_create
    from servicedesk.tickets.workflow import OPEN_STATES

    ticket = (
        Ticket.objects.filter(requester__username=USERNAME, state__in=OPEN_STATES)
        .order_by("-created_at")
        .first()
    )
    if ticket is None:
        ticket = ticket_create(
            actor=Person.objects.get(username=USERNAME),
            kind=TicketKind.INCIDENT,
            short_description="Second monitor flickers after docking",
        )
    return ticket.number


def poll_path(browser: Browser, number: str) -> str:
    """The poll's URL as the ticket page writes it into its `hx-get`."""
    _status, body = fetch(browser, f"/portal/tickets/{number}/")
    found = POLL_URL.search(body.decode())
    if found is None:
        raise RuntimeError(f"the page of {number} does not poll")
    return html.unescape(found.group(1))


def queries_of(path: str, username: str = USERNAME) -> int | None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from servicedesk.directory.models import Person

    client = Client()
    client.force_login(Person.objects.get(username=username))

    def send() -> Any:
        if path.startswith("POST "):
            return client.post(path.removeprefix("POST "))
        return client.get(path)

    send()
    with CaptureQueriesContext(connection) as captured:
        response = send()
    return len(captured.captured_queries) if response.status_code < 400 else None


def time_paths(
    browser: Browser, paths: list[str], warm_up: int, samples: int
) -> list[tuple[int, list[float]]]:
    """Each path in turn, round after round: on a busy machine every path meets the same load,
    so their ratios hold even when the absolute figures wander."""
    statuses = [0] * len(paths)
    timings: list[list[float]] = [[] for _ in paths]
    for round_number in range(warm_up + samples):
        for index, path in enumerate(paths):
            started = time.perf_counter()
            statuses[index], _body = fetch(browser, path)
            if round_number >= warm_up:
                timings[index].append((time.perf_counter() - started) * 1000)
    return list(zip(statuses, timings, strict=True))


def measure(base: str, warm_up: int, samples: int) -> list[PollTiming]:
    from servicedesk.demo.organisation import DEMO_PASSWORD

    browser = Browser(base)
    browser.sign_in(USERNAME, DEMO_PASSWORD)
    number = polled_ticket()
    with_key = poll_path(browser, number)
    parts = urllib.parse.urlsplit(with_key)
    since = urllib.parse.parse_qs(parts.query)["since"][0]
    paths = [
        ("healthz", "/healthz"),
        ("bare signed-in look-up", f"/bench/bare/lookup/{number}"),
        ("poll, unchanged (the page's URL)", with_key),
        ("poll, unchanged, no key", f"{parts.path}?{urllib.parse.urlencode({'since': since})}"),
        ("poll, changed (rendered)", parts.path),
    ]
    return timed_polls(browser, paths, warm_up, samples, USERNAME)


def measure_workspace(base: str, warm_up: int, samples: int) -> list[PollTiming]:
    """The nav's counts and the agent ticket page's heartbeat, as the agent `desk`."""
    from servicedesk.demo.organisation import DEMO_PASSWORD
    from servicedesk.tickets.models import Ticket
    from servicedesk.tickets.workflow import OPEN_STATES

    browser = Browser(base)
    browser.sign_in(AGENT, DEMO_PASSWORD)
    ticket = Ticket.objects.filter(state__in=OPEN_STATES).order_by("-created_at").first()
    if ticket is None:
        raise RuntimeError("no open ticket in the benchmark database")
    number = ticket.number
    _status, nav = fetch(browser, "/workspace/counts/")
    _status, page = fetch(browser, f"/workspace/tickets/{number}/")
    first_beat = _found(BEAT_URL, page, "the agent ticket page does not beat")
    _status, beat = fetch(browser, "POST " + first_beat)
    paths = [
        ("healthz", "/healthz"),
        ("bare signed-in look-up", f"/bench/bare/lookup/{number}"),
        ("nav counts, unchanged", _found(NAV_POLL_URL, nav, "the nav's counts do not poll")),
        ("nav counts, counted", "/workspace/counts/"),
        ("heartbeat, unchanged", "POST " + _found(BEAT_URL, beat, "the heartbeat stops")),
        ("heartbeat, full road", f"POST /workspace/tickets/{number}/presence/"),
    ]
    return timed_polls(browser, paths, warm_up, samples, AGENT)


def _found(pattern: re.Pattern[str], body: bytes, missing: str) -> str:
    found = pattern.search(body.decode())
    if found is None:
        raise RuntimeError(missing)
    return html.unescape(found.group(1))


def timed_polls(
    browser: Browser, paths: list[tuple[str, str]], warm_up: int, samples: int, username: str
) -> list[PollTiming]:
    measured: list[PollTiming] = []
    healthz = bare = 0.0
    timed = time_paths(browser, [path for _label, path in paths], warm_up, samples)
    for (label, path), (status, timings) in zip(paths, timed, strict=True):
        p50 = statistics.median(timings)
        healthz = healthz or p50
        if label.startswith("bare"):
            bare = p50
        measured.append(
            PollTiming(
                label=label,
                path=path,
                status=status,
                p50_ms=round(p50, 2),
                p95_ms=round(statistics.quantiles(timings, n=20)[18], 2),
                mean_ms=round(statistics.fmean(timings), 2),
                ratio_to_healthz=round(p50 / healthz, 2),
                ratio_to_bare_lookup=round(p50 / bare, 2) if bare else None,
                queries=None
                if path.startswith(("/healthz", "/bench/"))
                else queries_of(path, username),
            )
        )
        print(f"  {label:<34} {status} p50 {p50:7.2f} ms", flush=True)
    return measured


def write_live_results(
    summary: dict[str, Any], polls: list[PollTiming], workspace: list[PollTiming]
) -> Path:
    data = {
        **summary,
        "polls": [asdict(poll) for poll in polls],
        "workspace_polls": [asdict(poll) for poll in workspace],
    }
    lines = [
        f"Servicedesk live-page benchmark, {summary['date']}",
        f"database: {summary['vendor']}, {summary['tickets']:,} tickets; machine: nproc "
        f"{summary['nproc']}; gunicorn: 2 uvicorn (ASGI) workers on 127.0.0.1, as `serve` runs",
        f"signed in as {USERNAME}; {summary['samples']} rounds of one request each, in turn, after "
        f"{summary['warm_up']} warm-up rounds, a new connection each (urllib); load average "
        f"(1, 5, 15 min) at the end: {', '.join(map(str, summary['load_average']))}",
        "",
        _header(),
        *(_row(poll) for poll in polls),
    ]
    lines += ["", f"The workspace's polls, signed in as {AGENT} (agent), in their own rounds:"]
    lines += [_header()] + [_row(poll) for poll in workspace]
    lines += ["", "Paths:"] + [f"  {poll.label}: {poll.path}" for poll in (*polls, *workspace)]
    return write_result_files(f"live-{summary['vendor']}", data, lines)


def _header() -> str:
    return (
        f"{'request':<34} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} "
        f"{'p50/healthz':>12} {'p50/bare':>9} {'queries':>8}"
    )


def _row(poll: PollTiming) -> str:
    bare = "" if poll.ratio_to_bare_lookup is None else f"{poll.ratio_to_bare_lookup:.2f}×"
    queries = "" if poll.queries is None else str(poll.queries)
    return (
        f"{poll.label:<34} {poll.status:>6} {poll.p50_ms:>8.2f} {poll.p95_ms:>8.2f} "
        f"{poll.mean_ms:>8.2f} {poll.ratio_to_healthz:>11.2f}× {bare:>9} {queries:>8}"
    )


def run(base: str, vendor: str, tickets: int, warm_up: int = 20, samples: int = 200) -> Path:
    print(f"Timing the live poll against {tickets:,} tickets on {vendor}...", flush=True)
    polls = measure(base, warm_up, samples)
    workspace = measure_workspace(base, warm_up, samples)
    summary = run_summary(vendor, tickets, samples=samples, warm_up=warm_up)
    summary["load_average"] = [round(value, 2) for value in os.getloadavg()]
    written = write_live_results(summary, polls, workspace)
    print(written.read_text())
    print(f"Written to {written.relative_to(PROJECT_ROOT)} and .json")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_bench", description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=20)
    args = parser.parse_args(argv)
    tickets = int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS))
    url = bench_database_url()
    vendor, count = prepare_database(url, tickets)
    with gunicorn(url) as base:
        run(base, vendor, count, max(0, args.warm_up), max(2, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
