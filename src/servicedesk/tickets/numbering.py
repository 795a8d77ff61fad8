"""Ticket numbers: one counter row per kind, bumped by a single atomic UPDATE ... RETURNING.

The row lock held until commit serialises concurrent creators on PostgreSQL; SQLite's IMMEDIATE
transactions do the same. A unique constraint on `Ticket.number` is the last line of defence.
"""

from __future__ import annotations

from django.db import connection

from servicedesk.tickets.choices import NUMBER_PREFIX, TicketKind
from servicedesk.tickets.models import NumberCounter

FIRST_NUMBER = 1001
DIGITS = 7


def format_number(kind: TicketKind, value: int) -> str:
    return f"{NUMBER_PREFIX[kind]}{value:0{DIGITS}d}"


def next_number(kind: TicketKind) -> str:
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE kind = %s RETURNING last", [kind.value]
        )
        row = cursor.fetchone()
    if row is None:
        # First ticket of a kind created outside the data migration (e.g. a flushed test db).
        NumberCounter.objects.get_or_create(kind=kind.value, defaults={"last": FIRST_NUMBER - 1})
        return next_number(kind)
    return format_number(kind, int(row[0]))
