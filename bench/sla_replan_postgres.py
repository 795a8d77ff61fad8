"""The batched SLA re-plan at scale on PostgreSQL (run by `bench.sla_replan`; see its docstring).

python -m bench.sla_replan --postgres
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgres://servicedesk:servicedesk@127.0.0.1:5432/servicedesk_bench_replan"
DEFAULT_CLOCKS = 100_000
SEED_TICKETS = 1_000  # generated the ordinary way; the rest are copies of the first one
START_SPREAD_HOURS = 72  # clocks started over the last three days: all still running
CALENDAR = "State business hours"


@dataclass(frozen=True)
class Figures:
    clocks: int
    fill_s: float
    total_s: float
    examined: int
    written: int
    retried: int
    batches: int
    batch_size: int
    write_size: int
    workers: int
    longest_batch_ms: float
    writes_ms: tuple[float, ...]  # each batch's UPDATE, sorted
    engine_s: float
    reading_s: float
    writing_s: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def _setup(url: str) -> None:
    from bench.database import prepare_database
    from bench.mail_ingest import _ensure_postgres_database

    _ensure_postgres_database(url)
    prepare_database(url, SEED_TICKETS)


def _copy_tickets(wanted: int) -> None:
    """Copy the first ticket until there are `wanted`, each with its own number."""
    from django.db import connection

    from servicedesk.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= wanted:
        return
    template = Ticket.objects.order_by("pk").values_list("pk", flat=True).first()
    columns = [f.column for f in Ticket._meta.concrete_fields if f.column not in ("id", "number")]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO tickets_ticket (number, {listed}) "
            f"SELECT 'RP' || lpad(g::text, 10, '0'), {listed} FROM tickets_ticket, "
            "generate_series(%s, %s) AS g WHERE id = %s",
            [have + 1, wanted, template],
        )


def _clock_shapes() -> list[dict[str, Any]]:
    """One running five-business-day clock per hour of the spread, as the engine stores it."""
    from servicedesk.sla.calendars import engine_calendar
    from servicedesk.sla.engine import Clock, Target
    from servicedesk.sla.models import BusinessCalendar, TicketClock
    from servicedesk.sla.services import copy_clock

    engine = engine_calendar(BusinessCalendar.objects.get(name=CALENDAR))
    shapes = []
    for hours in range(START_SPREAD_HOURS):
        began = datetime.now(UTC) - timedelta(hours=hours)
        row = TicketClock()
        copy_clock(row, Clock(Target.business_days(5), engine, began))
        shapes.append(
            {
                "hours": hours,
                "started": began.isoformat(),
                "state": row.state,
                "due": row.due_at.isoformat() if row.due_at else None,
                "threshold": (row.next_threshold_at.isoformat() if row.next_threshold_at else None),
                "record": row.record,
            }
        )
    return shapes


def _add_clocks() -> None:
    """A running resolution clock on the state calendar for every ticket without one: a
    single INSERT … SELECT, the shapes joined in by ticket id."""
    from django.db import connection

    from servicedesk.sla.models import BusinessCalendar

    calendar = BusinessCalendar.objects.get(name=CALENDAR)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sla_ticketclock (ticket_id, metric, calendar_id, target_label, state, "
            "outcome, started_at, due_at, next_threshold_at, record) "
            "SELECT t.id, 'resolution', %s, '5 business days', s.state, '', "
            "s.started::timestamptz, s.due::timestamptz, s.threshold::timestamptz, s.record "
            "FROM tickets_ticket t JOIN jsonb_to_recordset(%s::jsonb) AS s(hours int, "
            "started text, state text, due text, threshold text, record jsonb) "
            f"ON s.hours = t.id %% {START_SPREAD_HOURS} "
            "WHERE NOT EXISTS (SELECT 1 FROM sla_ticketclock c WHERE c.ticket_id = t.id)",
            [calendar.pk, json.dumps(_clock_shapes())],
        )
        cursor.execute("ANALYZE sla_ticketclock")


def fill(wanted: int) -> float:
    from django.db import transaction

    began = time.perf_counter()
    with transaction.atomic():
        _copy_tickets(wanted)
        _add_clocks()
    return time.perf_counter() - began


def _vacuum() -> None:
    """Each run writes every clock and its ticket twice (the re-plan and the way back): leave
    no dead rows from the last run for this one to step over, nor for autovacuum to clean up
    during it (which it did, on the tickets: 49 s at a quiet moment against 59 s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) sla_ticketclock")
        cursor.execute("VACUUM (ANALYZE) tickets_ticket")


def _snow_day(calendar: Any) -> date:
    day = date.today() + timedelta(days=2)
    while calendar.closures.filter(date=day).exists() or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def measure(wanted: int) -> Figures:
    from servicedesk.sla.models import BusinessCalendar, CalendarClosure
    from servicedesk.sla.replan import (
        REPLAN_BATCH,
        REPLAN_WORKERS,
        REPLAN_WRITE,
        calendar_replan,
        open_clocks,
    )

    filled = fill(wanted)
    _vacuum()
    batch = int(os.environ.get("BENCH_REPLAN_BATCH", REPLAN_BATCH))
    write = int(os.environ.get("BENCH_REPLAN_WRITE", REPLAN_WRITE))
    workers = int(os.environ.get("BENCH_REPLAN_WORKERS", REPLAN_WORKERS))
    calendar = BusinessCalendar.objects.get(name=CALENDAR)
    clocks = open_clocks(calendar).count()
    closure = CalendarClosure.objects.create(
        calendar=calendar, date=_snow_day(calendar), name="Snow day"
    )
    calendar.mark_changed()
    try:
        load_before = os.getloadavg()
        began = time.perf_counter()
        report = calendar_replan(calendar, batch_size=batch, write_size=write, workers=workers)
        total = time.perf_counter() - began
        load_after = os.getloadavg()
    finally:
        closure.delete()
        calendar.mark_changed()
        calendar_replan(calendar)  # leave the database as it was
    return Figures(
        clocks,
        filled,
        total,
        report.examined,
        report.written,
        report.retried,
        report.batches,
        batch,
        write,
        workers,
        report.longest_batch_s * 1000,
        tuple(sorted(seconds * 1000 for seconds in report.writes_s)),
        report.engine_s,
        report.reading_s,
        report.writing_s,
        load_before,
        load_after,
    )


def write(figures: Figures) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "sla-replan-batched-postgresql.txt"
    target.write_text(
        f"SLA re-plan in batches after adding a holiday — {datetime.now(UTC):%Y-%m-%d %H:%M UTC}\n"
        f"database: postgresql; nproc: {os.cpu_count()}\n"
        f"open clocks on the calendar: {figures.clocks:,} (fill this run: {figures.fill_s:.1f} s)\n"
        f"wall time of the re-plan: {figures.total_s:.2f} s "
        f"({figures.clocks / max(figures.total_s, 1e-9):,.0f} clocks a second)\n"
        f"examined: {figures.examined:,}; written (due times moved): {figures.written:,}; "
        f"re-planned after an agent's save held them: {figures.retried:,}\n"
        f"batches: {figures.batches:,} read of up to {figures.batch_size:,} clocks, written by "
        f"UPDATEs of up to {figures.write_size:,} (each its own transaction), "
        f"{figures.workers} worker(s) at once\n"
        f"longest UPDATE holding its rows, as the server timed it (longest an agent's save "
        f"could wait): {figures.longest_batch_ms:.1f} ms\n"
        f"UPDATEs: {_spread(figures.writes_ms)}\n"
        f"summed over the workers: rebuilding in Python (parse + engine) "
        f"{figures.engine_s:.1f} s, waiting on PostgreSQL's reads {figures.reading_s:.1f} s "
        f"and writes {figures.writing_s:.1f} s (of which the UPDATEs' own server time "
        f"{sum(figures.writes_ms) / 1000:.1f} s)\n"
        f"load average (1, 5, 15 min) before: {_load(figures.load_before)}; "
        f"after: {_load(figures.load_after)}\n"
    )
    return target


def _spread(sorted_ms: tuple[float, ...]) -> str:
    if not sorted_ms:
        return "none"

    def at(share: float) -> float:
        return sorted_ms[min(int(len(sorted_ms) * share), len(sorted_ms) - 1)]

    over = sum(1 for took in sorted_ms if took > 100)
    return (
        f"p50 {at(0.5):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms; "
        f"{over:,} of {len(sorted_ms):,} over 100 ms"
    )


def _load(averages: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in averages)


def main() -> int:
    _setup(os.environ.get("BENCH_REPLAN_POSTGRES_URL", DEFAULT_URL))
    written = write(measure(int(os.environ.get("BENCH_REPLAN_CLOCKS", DEFAULT_CLOCKS))))
    print(written.read_text())
    return 0
