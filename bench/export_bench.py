"""The CSV export's time and peak memory at 10,000, 50,000 and 100,000 rows.

`python -m bench.export_bench` (run by `make bench` after the pages): in-process, as the demo
manager (who sees every ticket), it writes the all-tickets export through the same code the
download uses (`reports.exports`) and throws the lines away, timing it and taking the peak of
Python's allocations (tracemalloc). Streaming keeps the peak flat however many rows: the figure
to watch is that the peak at 100,000 rows is about the peak at 10,000.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass

SIZES = (10_000, 50_000, 100_000)


@dataclass(frozen=True)
class ExportTiming:
    rows: int
    seconds: float
    peak_mib: float


def measure(rows: int) -> ExportTiming:
    from servicedesk.directory.models import Person
    from servicedesk.reports.exports import csv_lines, export_rows
    from servicedesk.tickets.access import visible_tickets

    manager = Person.objects.get(username="manager")
    tickets = visible_tickets(manager).order_by("pk")[:rows]
    tracemalloc.start()
    started = time.perf_counter()
    written = 0
    for line in csv_lines(export_rows(tickets)):
        written += len(line)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return ExportTiming(rows=rows, seconds=round(seconds, 2), peak_mib=round(peak / 2**20, 2))


def run(url: str, vendor: str, count: int) -> None:
    from bench.results import run_summary, write_result_files

    os.environ["DATABASE_URL"] = url
    timings = [measure(size) for size in SIZES if size <= count]
    summary = run_summary(vendor, count)
    lines = [
        f"Servicedesk CSV export benchmark, {summary['date']}",
        f"database: {vendor}, {count:,} tickets; machine: nproc {summary['nproc']}",
        "in-process, as the manager; peak = Python allocations while exporting (tracemalloc)",
        "",
        f"{'rows':>8} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}",
    ]
    for timing in timings:
        rate = timing.rows / timing.seconds if timing.seconds else 0
        lines.append(
            f"{timing.rows:>8,} {timing.seconds:>8.2f} {rate:>9,.0f} {timing.peak_mib:>9.2f}"
        )
    data = {**summary, "exports": [asdict(timing) for timing in timings]}
    written = write_result_files(f"export-{vendor}", data, lines)
    print(written.read_text())


def main() -> int:
    from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database

    tickets = int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS))
    url = bench_database_url()
    vendor, count = prepare_database(url, tickets)
    run(url, vendor, count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
