"""Ticket numbers: one counter row per kind, bumped by a single atomic UPDATE ... RETURNING.

On SQLite the filing's own transaction takes the number: its IMMEDIATE transaction holds the one
write lock from BEGIN anyway. On PostgreSQL the counter's row would stay locked until the filing
commits, so every filing of a kind would wait for the one before it to finish all its work: there
the number is taken before the filing's transaction (`number_before_transaction`), and a filing
that fails after taking it leaves a gap. A unique constraint on `Ticket.number` is the last line
of defence.

That counter's own commit does not wait for the disk (`synchronous_commit` off for it alone): a
flush costs a few milliseconds on a busy disk, a second one per filing. Nothing is lost by it. The
filing's commit, which waits, is written to the log after the counter's, so a filing that is
durable carries its number's bump with it; a crash can only forget a bump no committed ticket
used, and the number is handed out again.
"""

from __future__ import annotations

from django.db import connection

from servicedesk.tickets.choices import NUMBER_PREFIX, TicketKind
from servicedesk.tickets.models import NumberCounter

FIRST_NUMBER = 1001
DIGITS = 7


def format_number(kind: TicketKind, value: int) -> str:
    return f"{NUMBER_PREFIX[kind]}{value:0{DIGITS}d}"


TABLE = NumberCounter._meta.db_table
BUMP = f"UPDATE {TABLE} SET last = last + 1 WHERE kind = %s RETURNING last"
# The same bump as its own transaction whose commit does not wait for the disk (see above): the
# setting lasts until that commit, which comes right after this one statement.
BUMP_NOT_WAITING = (
    "WITH not_waiting AS (SELECT set_config('synchronous_commit', 'off', true)) "
    f"UPDATE {TABLE} SET last = last + 1 FROM not_waiting WHERE kind = %s RETURNING last"
)


def number_before_transaction(kind: TicketKind) -> str | None:
    """The number for a filing about to open its transaction, where taking it inside would make
    concurrent filings wait (PostgreSQL); None where the transaction should take it."""
    if connection.vendor == "postgresql":
        return next_number(kind)
    return None


def next_number(kind: TicketKind) -> str:
    alone = connection.vendor == "postgresql" and connection.get_autocommit()
    with connection.cursor() as cursor:
        cursor.execute(BUMP_NOT_WAITING if alone else BUMP, [kind.value])
        row = cursor.fetchone()
    if row is None:
        # First ticket of a kind created outside the data migration (e.g. a flushed test db).
        NumberCounter.objects.get_or_create(kind=kind.value, defaults={"last": FIRST_NUMBER - 1})
        return next_number(kind)
    return format_number(kind, int(row[0]))
