"""Re-planning every open clock of a calendar after a closure, a holiday import or new hours.

A state agency's calendar carries a million open clocks. They are re-planned in batches walked
by id (keyset pagination), each batch its own short transaction that locks its rows with
`SKIP LOCKED`: an agent saving a ticket never waits on the re-plan for longer than one batch
takes, and the re-plan never waits on an agent. Only clocks whose planned times change are
written. The re-plan writes no clock event: the clock's facts (its record) do not change, only
the times planned from them, and the calendar's own history says why they moved.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState
from servicedesk.sla.engine import Calendar, Clock
from servicedesk.sla.models import BusinessCalendar, TicketClock
from servicedesk.sla.services import PLANNED_COLUMNS, planned_columns

# 1,000 clocks: one batch's UPDATE takes tens of milliseconds on PostgreSQL (the longest an
# agent's save can wait), and the round trips stay few enough for a million clocks in a minute.
REPLAN_BATCH = 1000
# A calendar with more open clocks than this is re-planned by a background task, not in the
# admin's request (about 50 ms a thousand clocks: a request stays well under a second).
REPLAN_IN_REQUEST = 5000
OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)
# A clock to write: its id, its xmin as read (PostgreSQL), its PLANNED_COLUMNS values.
Planned = tuple[int, str, tuple[Any, ...]]


@dataclass
class Replan:
    """What a re-plan did: clocks looked at, written (their times moved), re-planned after an
    agent's save held them, batches, and the longest batch transaction (the longest an agent's
    save could have waited on it; the retries, which wait on the agent, are not counted)."""

    examined: int = 0
    written: int = 0
    retried: int = 0
    batches: int = 0
    longest_batch_s: float = 0.0


def open_clocks(calendar: BusinessCalendar) -> QuerySet[TicketClock]:
    return TicketClock.objects.filter(calendar=calendar, state__in=OPEN_STATES)


def replan_in_background(calendar: BusinessCalendar) -> bool:
    """Whether the calendar has too many open clocks to re-plan within the admin's request."""
    return open_clocks(calendar)[: REPLAN_IN_REQUEST + 1].count() > REPLAN_IN_REQUEST


def calendar_replan(calendar: BusinessCalendar, *, batch_size: int = REPLAN_BATCH) -> Replan:
    """Recompute due dates and warning times of every open clock counting on `calendar`."""
    calendar.refresh_from_db()
    engine = engine_calendar(calendar)
    report = Replan()
    if connection.vendor == "postgresql":
        held = _replan_unlocked(calendar, engine, report, batch_size)
    else:  # SQLite has no row locks: each batch is read and written in one short transaction
        held = []
        after = 0
        while ids := list(
            open_clocks(calendar)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        ):
            after = ids[-1]
            _replan_batch(calendar, ids, engine, report, skip_locked=True)
    # A clock an agent's save held (or changed since it was read) is re-planned now, one at a
    # time, waiting for that save to commit: the agent's own save re-plans it only if its
    # transaction read the calendar after the change, which it cannot know. One clock a
    # transaction keeps any other save from queueing behind the one we wait on.
    for pk in held:
        report.retried += len(_replan_batch(calendar, [pk], engine, report, skip_locked=False))
    return report


def _replan_unlocked(
    calendar: BusinessCalendar, engine: Calendar, report: Replan, batch_size: int
) -> list[int]:
    """PostgreSQL: read a batch without locking it, rebuild its clocks, then write those that
    moved in one UPDATE that locks only rows no one holds (`SKIP LOCKED`) and still as read
    (their `xmin`, the transaction that wrote them, unchanged). The only lock an agent's save
    could wait on is that one statement's. The ids of the clocks it could not write."""
    held: list[int] = []
    after = 0
    while rows := list(
        open_clocks(calendar)
        .filter(pk__gt=after)
        .order_by("pk")
        .annotate(seen=RawSQL("xmin::text", ()))
        .values_list("pk", "seen", "record", *PLANNED_COLUMNS)[:batch_size]
    ):
        after = rows[-1][0]
        moved: list[Planned] = []
        for pk, seen, record, *before in rows:
            planned = planned_columns(Clock.from_dict(record, engine))
            if list(planned) != before:
                moved.append((pk, seen, planned))
        report.batches += 1
        report.examined += len(rows)
        if not moved:
            continue
        began = time.perf_counter()
        written = _write_back_postgresql(moved)
        report.longest_batch_s = max(report.longest_batch_s, time.perf_counter() - began)
        report.written += len(written)
        missed = [pk for pk, _, _ in moved if pk not in written]
        report.examined -= len(missed)  # examined again when retried
        held.extend(missed)
    return held


def _replan_batch(
    calendar: BusinessCalendar,
    ids: Sequence[int],
    engine: Calendar,
    report: Replan,
    *,
    skip_locked: bool,
) -> set[int]:
    """Re-plan the clocks `ids` that are still open on `calendar`; the ids it got to lock."""
    began = time.perf_counter()
    with transaction.atomic():
        rows = list(
            open_clocks(calendar)
            .filter(pk__in=ids)
            .order_by()
            .select_for_update(skip_locked=skip_locked)
            .values_list("pk", "record", *PLANNED_COLUMNS)
        )
        moved: list[Planned] = []
        for pk, record, *before in rows:
            planned = planned_columns(Clock.from_dict(record, engine))
            if list(planned) != before:
                moved.append((pk, "", planned))
        if moved:
            _write_back(moved)
    if skip_locked:  # a retry holds only the row the agent's save held: no one waits on it
        report.longest_batch_s = max(report.longest_batch_s, time.perf_counter() - began)
    report.batches += 1
    report.examined += len(rows)
    report.written += len(moved)
    return {row[0] for row in rows}


def _planned_fields() -> list[Any]:
    # The record is the clock's facts: a re-plan rebuilds the same one and never writes it.
    return [f for f in TicketClock._meta.concrete_fields if f.name in PLANNED_COLUMNS]


def _write_back(moved: list[Planned]) -> None:
    """One prepared UPDATE a row, sent as a batch: Django's bulk_update builds a CASE per
    column with a branch per row, which SQLite evaluates in quadratic time."""
    if connection.vendor == "postgresql":
        _write_back_postgresql(moved, guarded=False)
        return
    fields = _planned_fields()
    table = connection.ops.quote_name(TicketClock._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",
            [
                [*(f.get_db_prep_save(v, connection) for f, v in pairs), pk]
                for pk, _, planned in moved
                for pairs in [zip(fields, planned, strict=True)]
            ],
        )


def _write_back_postgresql(moved: list[Planned], *, guarded: bool = True) -> set[int]:
    """One statement for the batch: each column's new values as one array, joined in by id;
    `guarded`: only rows no one holds and still as they were read. The ids written.

    Bound on the server (psycopg's own cursor, wrapped as Django wraps its cursors so the
    query is counted and logged): Django's client-side binding quotes every array element in
    Python, slower than PostgreSQL runs the whole UPDATE.
    """
    fields = _planned_fields()
    table = connection.ops.quote_name(TicketClock._meta.db_table)
    quoted = [connection.ops.quote_name(f.column) for f in fields]
    arrays: list[Any] = [[pk for pk, _, _ in moved], [seen or "0" for _, seen, _ in moved]]
    arrays += [[planned[i] for _, _, planned in moved] for i in range(len(fields))]
    types = ["bigint[]", "text[]", *(f"{f.db_type(connection)}[]" for f in fields)]
    unnested = ", ".join(f"%s::{kind}" for kind in types)
    assignments = ", ".join(f"{column} = v.{column}" for column in quoted)
    guard = (
        f" AND {table}.xmin = v.seen::xid AND {table}.id IN (SELECT id FROM {table} "
        f"WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED)"
        if guarded
        else ""
    )
    raw: Any = psycopg.Cursor(connection.connection)
    logged = connection.queries_logged
    with connection.make_debug_cursor(raw) if logged else connection.make_cursor(raw) as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({unnested}) "
            f"AS v(id, seen, {', '.join(quoted)}) WHERE {table}.id = v.id{guard} "
            f"RETURNING {table}.id",
            [*arrays, arrays[0]] if guarded else arrays,
        )
        return {pk for (pk,) in cursor.fetchall()}
