"""Re-planning every open clock of a calendar after a closure, a holiday import or new hours.

A state agency's calendar carries a million open clocks. They are re-planned in batches walked
by id (keyset pagination). On PostgreSQL a batch is read without locking, rebuilt, and written by
one UPDATE that takes only rows no one holds (`SKIP LOCKED`) and still as read: an agent saving a
ticket waits on the re-plan at most one such statement, and the re-plan never waits on an agent.
Two workers, each on its own connection, walk halves of the id range at once: while one waits on
the database the other rebuilds its clocks. Only clocks whose planned times change are written.
The re-plan writes no clock event: the clock's facts (its record) do not change, only the times
planned from them, and the calendar's own history says why they moved.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
import psycopg
from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet

from servicedesk.sla.calendars import engine_calendar
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.engine import Calendar, Clock
from servicedesk.sla.models import BusinessCalendar, TicketClock
from servicedesk.sla.resolution_due import COPIED_SETTING, resolution_due_of
from servicedesk.sla.services import PLANNED_COLUMNS, planned_columns

# Clocks read and rebuilt at a time: two round trips (one read, one pipeline of writes) for each.
REPLAN_BATCH = 1000
# Clocks one UPDATE writes, each UPDATE its own transaction: it locks them a few milliseconds
# (the longest an agent's save of one of those tickets can wait on the re-plan).
REPLAN_WRITE = 100
# Workers walking the id range at once on PostgreSQL, each on its own connection: the engine
# runs in Python while the other worker's statements run in the database.
REPLAN_WORKERS = 2
# Fewer ids than this between a calendar's first and last open clock: one walk, in the caller's
# own thread (and transaction, which the workers' own connections could not see into).
PARALLEL_FROM = 20 * REPLAN_BATCH
# A calendar with more open clocks than this is re-planned by a background task, not in the
# admin's request (about 50 ms a thousand clocks: a request stays well under a second).
REPLAN_IN_REQUEST = 5000
OPEN_STATES = (ClockState.RUNNING, ClockState.PAUSED)
# A clock to write: its id, its xmin as read (PostgreSQL), its PLANNED_COLUMNS values.
Planned = tuple[int, str, tuple[Any, ...]]
# The same on PostgreSQL's bulk path: the xmin as a number (an array of numbers is bound faster
# than one of text), instants as Unix seconds, and the values stored before.
Moved = tuple[int, int, tuple[Any, ...], tuple[Any, ...]]
# The planned columns holding instants: read and written as Unix seconds on the bulk path.
INSTANTS = ("due_at", "breached_at", "stopped_at", "next_threshold_at")


@dataclass
class Replan:
    """What a re-plan did: clocks looked at, written (their times moved), re-planned after an
    agent's save held them, batches, and the longest write holding rows (the longest an agent's
    save could have waited on it: on PostgreSQL a guarded UPDATE as the server timed it, on
    SQLite a batch's transaction; the retries, which wait on the agent, are not counted)."""

    examined: int = 0
    written: int = 0
    retried: int = 0
    batches: int = 0
    longest_batch_s: float = 0.0
    # Seconds spent rebuilding clocks in Python, waiting on the bulk path's reads and on its
    # writes, summed over the workers (which run at once: each sum can exceed the wall time).
    engine_s: float = 0.0
    reading_s: float = 0.0
    writing_s: float = 0.0
    # How long each guarded UPDATE held its rows, in seconds (the benchmark's distribution).
    writes_s: list[float] = field(default_factory=list)

    def add(self, other: Replan) -> None:
        """Count in what another worker did."""
        self.examined += other.examined
        self.written += other.written
        self.retried += other.retried
        self.batches += other.batches
        self.longest_batch_s = max(self.longest_batch_s, other.longest_batch_s)
        self.engine_s += other.engine_s
        self.reading_s += other.reading_s
        self.writing_s += other.writing_s
        self.writes_s += other.writes_s


def open_clocks(calendar: BusinessCalendar) -> QuerySet[TicketClock]:
    return TicketClock.objects.filter(calendar=calendar, state__in=OPEN_STATES)


def replan_in_background(calendar: BusinessCalendar) -> bool:
    """Whether the calendar has too many open clocks to re-plan within the admin's request."""
    return open_clocks(calendar)[: REPLAN_IN_REQUEST + 1].count() > REPLAN_IN_REQUEST


def calendar_replan(
    calendar: BusinessCalendar,
    *,
    batch_size: int = REPLAN_BATCH,
    write_size: int = REPLAN_WRITE,
    workers: int = REPLAN_WORKERS,
) -> Replan:
    """Recompute due dates and warning times of every open clock counting on `calendar`."""
    calendar.refresh_from_db()
    engine = engine_calendar(calendar)
    report = Replan()
    if connection.vendor == "postgresql":
        held = _replan_in_ranges(calendar, engine, report, (batch_size, write_size, workers))
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


@dataclass(frozen=True)
class _Walk:
    """A walk over part of a calendar's open clocks on PostgreSQL."""

    calendar_id: int
    engine: Calendar
    batch_size: int  # clocks read and rebuilt at a time
    write_size: int  # clocks one guarded UPDATE writes, and locks, at a time


def _replan_in_ranges(
    calendar: BusinessCalendar, engine: Calendar, report: Replan, sizes: tuple[int, int, int]
) -> list[int]:
    """PostgreSQL: the open clocks' id range cut into `workers` parts walked at once, each on
    its own connection. The ids of the clocks an agent's save held."""
    batch_size, write_size, workers = sizes
    bounds = open_clocks(calendar).aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"], bounds["last"]
    if first is None:
        return []
    walk = _Walk(calendar.pk, engine, batch_size, write_size)
    if workers < 2 or last - first < PARALLEL_FROM or connection.in_atomic_block:
        walks = [_walk(walk, first, last)]
    else:
        step = (last - first) // workers + 1
        with ThreadPoolExecutor(workers, thread_name_prefix="replan") as pool:
            futures = [
                pool.submit(_walk_on_own_connection, walk, lo, min(lo + step - 1, last))
                for lo in range(first, last + 1, step)
            ]
            walks = [future.result() for future in futures]
    held: list[int] = []
    for walked, missed in walks:
        report.add(walked)
        held.extend(missed)
    return held


def _walk_on_own_connection(walk: _Walk, first: int, last: int) -> tuple[Replan, list[int]]:
    try:
        return _walk(walk, first, last)
    finally:
        connection.close()  # this thread's own: a worker thread's connection is never reused


def _walk(walk: _Walk, first: int, last: int) -> tuple[Replan, list[int]]:
    """Re-plan the open clocks with ids in [first, last], a batch at a time: each read without
    a lock, rebuilt, and its moved clocks written by guarded UPDATEs. What was done, and the
    ids of the clocks it could not write (an agent's save held or changed them)."""
    report = Replan()
    held: list[int] = []
    after = first - 1
    while after < last:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(), [walk.calendar_id, _OPEN, after, last, walk.batch_size])
            rows = cursor.fetchall()
        read = time.perf_counter()
        report.reading_s += read - began
        if not rows:
            break
        after = rows[-1][0]
        report.batches += 1
        report.examined += len(rows)
        moved = _rebuilt(rows, walk.engine)
        began = time.perf_counter()
        report.engine_s += began - read
        if moved:
            written = _write_moved(moved, walk.write_size, report)
            report.writing_s += time.perf_counter() - began
            report.written += len(written)
            missed = [pk for pk, *_ in moved if pk not in written]
            report.examined -= len(missed)  # examined again when retried
            held.extend(missed)
        if len(rows) < walk.batch_size:
            break
    return report, held


_OPEN = [state.value for state in OPEN_STATES]


@cache
def _read_sql() -> str:
    """A batch of open clocks after an id: the record as text (parsed faster than the driver
    does) and the instants as Unix seconds (the engine's own unit: no datetime a clock)."""
    instants = ", ".join(f"floor(extract(epoch FROM {_column(name)}))::bigint" for name in INSTANTS)
    return (
        f"SELECT id, xmin::text::bigint, record::text, state, outcome, {instants} "
        f"FROM {_table()} "
        "WHERE calendar_id = %s AND state = ANY(%s) AND id > %s AND id <= %s "
        "ORDER BY id LIMIT %s"
    )


def _rebuilt(rows: list[tuple[Any, ...]], engine: Calendar) -> list[Moved]:
    """The clocks of `rows` whose planned values on `engine` differ from those stored."""
    moved: list[Moved] = []
    loads, rebuild = orjson.loads, Clock.from_dict
    for pk, seen, record, *stored in rows:
        clock = rebuild(loads(record), engine)
        outcome = clock.outcome
        planned = (clock.state.value, outcome.value if outcome else "", *clock.planned_ts())
        before = tuple(stored)
        if planned != before:
            moved.append((pk, seen, planned, before))
    return moved


def _write_moved(moved: list[Moved], write_size: int, report: Replan) -> set[int]:
    """Write the moved clocks by guarded UPDATEs of `write_size` clocks, each its own
    transaction, all sent at once (psycopg's pipeline: one round trip for the batch). Counts
    in `report` how long each held its rows on the server. The ids written.

    Bound on the server (psycopg's own cursors, wrapped as Django wraps its cursors so the
    queries are counted and logged): Django's client-side binding quotes every array element
    in Python, slower than PostgreSQL runs the whole UPDATE.
    """
    raw = connection.connection
    assert raw is not None  # the batch was just read on it
    cursors = []
    with raw.pipeline() as pipeline:
        for start in range(0, len(moved), write_size):
            wrapped: Any = psycopg.Cursor(raw)
            if connection.queries_logged:
                wrapped = connection.make_debug_cursor(wrapped)
            wrapped.execute(*_guarded_update(moved[start : start + write_size]))
            pipeline.sync()  # the end of its transaction outside an atomic block: its locks go
            cursors.append(wrapped)
    written: set[int] = set()
    for cursor in cursors:
        ids, held_s, _ = cursor.fetchone()
        cursor.close()
        written.update(ids)
        report.writes_s.append(held_s)
        report.longest_batch_s = max(report.longest_batch_s, held_s)
    return written


def _guarded_update(moved: list[Moved]) -> tuple[str, list[Any]]:
    """One statement for `moved`, only the columns that moved: each one's new values as an
    array, joined in by id, written only to rows no one holds and still as they were read (their
    `xmin`, the transaction that wrote them, unchanged). It answers the ids written and the
    seconds from its start to its last row written, the rows locked all along.

    A clock's ticket is locked before the clock, as an agent's save locks them, and skipped
    with it when someone holds it: the statement copies the resolution clocks' due times into
    their tickets' queue order itself (`resolution_due`), so it never waits on an agent's save,
    and an agent holding a ticket and waiting for its clock never waits on a statement that waits
    for the ticket (a deadlock). The trigger on the clocks is told so and stays still.
    """
    changed = [
        index
        for index in range(len(PLANNED_COLUMNS))
        if any(planned[index] != before[index] for _, _, planned, before in moved)
    ]
    names = [PLANNED_COLUMNS[index] for index in changed]
    ids = [pk for pk, *_ in moved]
    params: list[Any] = [ids, [seen for _, seen, _, _ in moved]]
    params += [[planned[index] for _, _, planned, _ in moved] for index in changed]
    kinds = ["bigint[]", "bigint[]", *("bigint[]" if n in INSTANTS else "text[]" for n in names)]
    unnested = ", ".join(f"%s::{kind}" for kind in kinds)
    table, tickets = _table(), _tickets_table()
    assignments = ", ".join(
        f"{_column(n)} = to_timestamp(locked.{n})"
        if n in INSTANTS
        else f"{_column(n)} = locked.{n}"
        for n in names
    )
    columns = "".join(f", {n}" for n in names)
    ticket, metric = _column("ticket"), _column("metric")
    order, key, due = _queue_order()
    sql = (
        # The rows no one holds and still as read, each ticket locked before its clock, both
        # once for the statement (a ticket's copy is not a key: agents' inserts of comments
        # and history, which lock it for key share, go on). Its settings are made before it
        # yields a row, so before any write.
        f"WITH locked AS MATERIALIZED (SELECT v.*, held.{ticket} AS owner_id, "
        f"held.{metric} AS owner_metric FROM ({_SETTINGS}) AS settings, "
        f"unnest({unnested}) AS v(id, seen{columns}) "
        f"JOIN {table} AS held ON held.id = v.id "
        f"JOIN {tickets} AS owner ON owner.id = held.{ticket} "
        "WHERE held.xmin = v.seen::text::xid "
        "FOR NO KEY UPDATE OF owner SKIP LOCKED FOR UPDATE OF held SKIP LOCKED), "
        f"written AS (UPDATE {table} SET {assignments} FROM locked "
        f"WHERE {table}.id = locked.id RETURNING {table}.id, locked.owner_id, "
        f"locked.owner_metric, {table}.{_column('state')} AS state, "
        f"{table}.{_column('due_at')} AS due_at), "
        f"copied AS (UPDATE {order} SET {due} = clock.due FROM ("
        f"SELECT owner_id, {resolution_due_of('written')} AS due FROM written "
        f"WHERE owner_metric = '{Metric.RESOLUTION.value}') AS clock "
        f"WHERE {order}.{key} = clock.owner_id "
        f"AND {order}.{due} IS DISTINCT FROM clock.due RETURNING {order}.{key}) "
        # Timed once both writes are done (each aggregate reads its writes to the end), and the
        # trigger's setting put back then: the caller's transaction may write clocks after it.
        "SELECT ids, extract(epoch FROM clock_timestamp() - statement_timestamp())::float8, "
        f"set_config('{COPIED_SETTING}', 'off', true) "
        "FROM (SELECT coalesce(array_agg(id), '{}') AS ids FROM written) AS clocks, "
        "(SELECT count(*) FROM copied) AS tickets"
    )
    return sql, params


# The statement's settings (`set_config(…, true)`: this transaction only, nothing left on a
# pooled connection). Its commit does not wait for the disk: the rows it locked are free as
# soon as it is done. The next commit that waits (the task's own result, an agent's save) makes
# it durable; a crash in the middle of a re-plan leaves part of the clocks re-planned with or
# without this, a fraction of a second apart. The statement copies the due times beside the
# tickets itself: the clocks' trigger need not look them up again (`COPIED_SETTING`).
_SETTINGS = (
    "SELECT set_config('synchronous_commit', 'off', true), "
    f"set_config('{COPIED_SETTING}', 'on', true)"
)


def _tickets_table() -> str:
    return connection.ops.quote_name(_ticket_model()._meta.db_table)


def _queue_order() -> tuple[str, str, str]:
    """The table the queues' order is kept in, its key (the ticket) and due time column."""
    model = _ticket_model()._meta.get_field("queue_order").related_model
    quote = connection.ops.quote_name
    return (
        quote(model._meta.db_table),
        quote(model._meta.get_field("ticket").column),
        quote(model._meta.get_field("resolution_due_at").column),
    )


def _ticket_model() -> Any:
    return TicketClock._meta.get_field("ticket").related_model


def _table() -> str:
    return connection.ops.quote_name(TicketClock._meta.db_table)


def _column(name: str) -> str:
    columns = {f.name: f.column for f in TicketClock._meta.concrete_fields}
    return connection.ops.quote_name(columns[name])


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
        if not skip_locked:
            # A retry waits for the agent's save: on the ticket first, as the save locks it,
            # never holding the clock while the save waits for it (see `_guarded_update`).
            _lock_tickets_of(ids)
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


def _lock_tickets_of(ids: Sequence[int]) -> None:
    owners = TicketClock.objects.filter(pk__in=ids).values("ticket_id")
    tickets = _ticket_model().objects.select_for_update(no_key=True).filter(pk__in=owners)
    list(tickets.order_by("pk").values_list("pk", flat=True))


def _planned_fields() -> list[Any]:
    # The record is the clock's facts: a re-plan rebuilds the same one and never writes it.
    return [f for f in TicketClock._meta.concrete_fields if f.name in PLANNED_COLUMNS]


def _write_back(moved: list[Planned]) -> None:
    """One prepared UPDATE a row, sent as a batch: Django's bulk_update builds a CASE per
    column with a branch per row, which SQLite evaluates in quadratic time."""
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
