"""How the generator's rows reach the database: bulk_create, or COPY on PostgreSQL.

The rows are the same either way (built by `bench.generate`'s factory); only the road differs.
On PostgreSQL the tickets' ids are taken from their sequence first, so comments, history,
affected people and clocks can name their ticket, and every table is then streamed with
`COPY … FROM STDIN`: several times faster than INSERTs, which is what lets a million tickets be
written in minutes. The indexes are kept up to date as rows arrive, search's trigram indexes
included, so the data is searchable as soon as the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import connection, models
from psycopg.types.json import Jsonb

from servicedesk.sla.models import TicketClock
from servicedesk.tickets.models import Comment, Ticket, TicketHistory

ORM_BATCH = 2_000


@dataclass
class Dependants:
    """What hangs off a batch of tickets once they have ids."""

    comments: list[Comment] = field(default_factory=list)
    history: list[TicketHistory] = field(default_factory=list)
    links: list[models.Model] = field(default_factory=list)
    clocks: list[TicketClock] = field(default_factory=list)


def copies() -> bool:
    """Whether rows go by COPY (PostgreSQL) rather than bulk_create."""
    return connection.vendor == "postgresql"


def save_tickets(tickets: list[Ticket]) -> list[Ticket]:
    """Write the tickets and return them with their ids."""
    if not copies():
        return Ticket.objects.bulk_create(tickets, batch_size=ORM_BATCH // 2)
    for ticket, pk in zip(tickets, _next_ids(Ticket, len(tickets)), strict=True):
        ticket.pk = pk
    copy_rows(Ticket, tickets)
    return tickets


def save_dependants(rows: Dependants) -> None:
    through = Ticket.affected_people.through
    if not copies():
        through.objects.bulk_create(rows.links, batch_size=ORM_BATCH)
        Comment.objects.bulk_create(rows.comments, batch_size=ORM_BATCH)
        TicketHistory.objects.bulk_create(rows.history, batch_size=ORM_BATCH)
        TicketClock.objects.bulk_create(rows.clocks, batch_size=ORM_BATCH)
        return
    copy_rows(through, rows.links)
    copy_rows(Comment, rows.comments)
    copy_rows(TicketHistory, rows.history)
    copy_rows(TicketClock, rows.clocks)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` values of the model's id sequence, as INSERTs would have drawn them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _reader(model_field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    read = attrgetter(model_field.attname)
    if isinstance(model_field, models.JSONField):
        return lambda row: Jsonb(read(row))
    return read


def copy_rows(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    """Stream `rows` into the model's table; the id too when the rows carry one."""
    if not rows:
        return
    with_ids = rows[0].pk is not None
    fields: Iterable[models.Field[Any, Any]] = [
        f for f in model._meta.concrete_fields if with_ids or not f.primary_key
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    readers = [_reader(f) for f in fields]
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([read(row) for read in readers])


WRITTEN_TABLES = (Ticket, Ticket.affected_people.through, Comment, TicketHistory, TicketClock)


def settle() -> None:
    """After a fill on PostgreSQL: what autovacuum would do in the following minutes (statistics
    for the planner, the visibility map for index-only scans), done now so that the pages
    measured next meet the database as a desk that has run for years would have it."""
    if not copies():
        return
    # VACUUM cannot run in a transaction (a test's): statistics alone then.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in WRITTEN_TABLES:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
