"""What the API benchmark records, and its result files (`bench/results/api-<vendor>.*`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.api_client import BARE_INSERT_PATH, CREATE_WARM_UP, TICKETS_PATH, USERNAME
from bench.results import write_result_files


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
