"""End-to-end SLA re-planning: add a holiday, recompute every open clock on that calendar.

Runs in-process against the benchmark database prepared by `bench.run` (it must be set up
already). Makes sure `BENCH_CLOCKS` (default 100,000) running resolution clocks count on the
state business calendar, then times `calendar_replan` after a new closure: engine time (rebuild
each clock from its stored facts on the new calendar) and database time, against a bare Django
endpoint timed in the same run. Writes `bench/results/sla-replan-<vendor>.txt`.

On PostgreSQL it also times the batched re-plan at scale on its own database
(`BENCH_REPLAN_POSTGRES_URL`, by default the local server's `servicedesk_bench_replan`, created if
missing and kept for the next run): `BENCH_REPLAN_CLOCKS` (default 100,000) open clocks, filled
by copying one generated ticket with INSERT … SELECT, then the wall time of `calendar_replan`
after a snow day is added and its longest batch transaction (the longest an agent's save of a
ticket could wait on it). Writes `bench/results/sla-replan-batched-postgresql.txt`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_CLOCKS = 100_000
BATCH = 5_000


@dataclass(frozen=True)
class ReplanFigures:
    vendor: str
    clocks: int
    total_s: float
    engine_s: float
    healthz_p50_ms: float

    @property
    def per_clock_us(self) -> float:
        return self.total_s / max(self.clocks, 1) * 1e6


def _healthz_p50_ms(samples: int = 200) -> float:
    from django.test import Client

    client = Client()
    client.get("/healthz")
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        client.get("/healthz")
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def ensure_clocks(wanted: int) -> int:
    """Give tickets without one a running resolution clock on the business calendar (bulk)."""
    from django.db import transaction

    from servicedesk.sla.calendars import engine_calendar
    from servicedesk.sla.choices import Metric
    from servicedesk.sla.engine import Clock, Target
    from servicedesk.sla.models import BusinessCalendar, TicketClock
    from servicedesk.sla.services import copy_clock
    from servicedesk.tickets.models import Ticket

    calendar = BusinessCalendar.objects.get(name="State business hours")
    engine = engine_calendar(calendar)
    have = TicketClock.objects.filter(calendar=calendar, state="running").count()
    missing = Ticket.objects.filter(clocks__isnull=True).order_by("pk")
    pending = list(missing.values_list("pk", "created_at")[: max(wanted - have, 0)])
    for start in range(0, len(pending), BATCH):
        rows = []
        for pk, created in pending[start : start + BATCH]:
            row = TicketClock(
                ticket_id=pk,
                metric=Metric.RESOLUTION,
                calendar=calendar,
                target_label="5 business days",
                started_at=created,
            )
            # A recent start keeps the clock running rather than long breached.
            began = datetime.now(UTC) - timedelta(hours=pk % 72)
            copy_clock(row, Clock(Target.business_days(5), engine, began))
            row.started_at = began
            rows.append(row)
        with transaction.atomic():
            TicketClock.objects.bulk_create(rows)
    return TicketClock.objects.filter(calendar=calendar, state="running").count()


def measure() -> ReplanFigures:
    from django.db import connection

    from servicedesk.sla import planning
    from servicedesk.sla.engine import Clock
    from servicedesk.sla.models import BusinessCalendar, CalendarClosure

    wanted = int(os.environ.get("BENCH_CLOCKS", DEFAULT_CLOCKS))
    clocks = ensure_clocks(wanted)
    calendar = BusinessCalendar.objects.get(name="State business hours")
    snow_day = date.today() + timedelta(days=2)
    while calendar.closures.filter(date=snow_day).exists() or snow_day.weekday() >= 5:
        snow_day += timedelta(days=1)
    baseline = _healthz_p50_ms()
    engine_seconds = 0.0
    original = Clock.from_dict

    def timed_from_dict(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal engine_seconds
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            engine_seconds += time.perf_counter() - began

    closure = CalendarClosure.objects.create(calendar=calendar, date=snow_day, name="Snow day")
    Clock.from_dict = timed_from_dict  # type: ignore[method-assign]
    try:
        began = time.perf_counter()
        replanned = planning.calendar_replan(calendar)
        total = time.perf_counter() - began
    finally:
        Clock.from_dict = original  # type: ignore[method-assign]
        closure.delete()
        planning.calendar_replan(calendar)  # leave the database as it was
    examined = replanned.examined or clocks
    return ReplanFigures(connection.vendor, examined, total, engine_seconds, baseline)


def write(figures: ReplanFigures) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"sla-replan-{figures.vendor}.txt"
    baseline_s = figures.healthz_p50_ms / 1000
    target.write_text(
        f"SLA re-plan after adding a holiday — {datetime.now(UTC):%Y-%m-%d %H:%M UTC}\n"
        f"database: {figures.vendor}; nproc: {os.cpu_count()}\n"
        f"open clocks re-planned: {figures.clocks:,}\n"
        f"total: {figures.total_s:.2f} s ({figures.per_clock_us:.0f} µs a clock)\n"
        f"engine (rebuild on the new calendar): {figures.engine_s:.2f} s\n"
        f"database and the rest: {figures.total_s - figures.engine_s:.2f} s\n"
        f"bare Django endpoint p50 (in-process): {figures.healthz_p50_ms:.2f} ms; "
        f"re-plan of one clock = {figures.per_clock_us / 1000 / figures.healthz_p50_ms:.3f} "
        f"bare requests; whole re-plan = {figures.total_s / baseline_s:,.0f} bare requests\n"
    )
    return target


def main() -> int:
    written = write(measure())
    print(written.read_text())
    # The batched re-plan at scale runs on its own PostgreSQL database, in its own process
    # (Django is set up on one database a process).
    return subprocess.call([sys.executable, "-m", "bench.sla_replan", "--postgres"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--postgres"]:
        from bench.sla_replan_postgres import main as postgres_main

        raise SystemExit(postgres_main())
    from bench.database import DEFAULT_TICKETS, bench_database_url, prepare_database

    prepare_database(bench_database_url(), int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS)))
    raise SystemExit(main())
