"""Kept statements handed to PostgreSQL with their values apart, so that it plans them once.

At a million tickets PostgreSQL spent longer planning an agent's ticket page (11 ms over its 13
statements, 4 ms for the ticket's own) than running it (2 ms). Django binds every value into
the SQL on the client, so each statement is new to the server and planned anew. A statement
whose SQL never changes (`core.kept_queries`) is instead bound on the server, where psycopg
prepares it on a connection's second use (`prepare_threshold`); PostgreSQL then reuses its plan,
or keeps planning it for each value where that is worth it (`plan_cache_mode`, left at auto).

Binding on the server asks PostgreSQL to tell each value's type from its place, which Django's
ORM does not promise of every statement it writes. So each kept statement's first read in a
process is tried inside a savepoint of its own: if PostgreSQL refuses it, it is rolled back and
read again bound on the client, as it will be from then on.

With `SERVICEDESK_DB_PREPARED_STATEMENTS=off` (behind PgBouncer before 1.21 in transaction
mode, docs/deploy.md) nothing is bound on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DataError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.pq import TransactionStatus

T = TypeVar("T")


def binds_on_server(connection: BaseDatabaseWrapper) -> bool:
    """Whether statements can be bound on `connection`'s server (`core/postgresql`)."""
    return bool(getattr(connection, "prepares_statements", False))


def written_literal(connection: BaseDatabaseWrapper, value: Any) -> str:
    """`value` as PostgreSQL's backend writes it into a statement bound on the client."""
    return str(connection.ops.compose_sql("%s", [value]))  # type: ignore[attr-defined]


class ServerBinding:
    """Whether one kept statement is bound on the server: None until its first read tells."""

    def __init__(self) -> None:
        # Two threads may both try a first read; each comes to the same answer.
        self.on_server: bool | None = None

    def read(self, connection: Any, read: Callable[[], T]) -> T:
        """What `read` reads, bound on the server once that is known to work."""
        if self.on_server:
            with connection.bound_on_server():
                return read()
        if self.on_server is None:
            return self._first(connection, read)
        return read()

    def _first(self, connection: Any, read: Callable[[], T]) -> T:
        connection.ensure_connection()
        raw = connection.connection
        # Sent past Django's cursors, so that the statements a test counts are the page's own.
        in_transaction = not raw.autocommit or raw.info.transaction_status != TransactionStatus.IDLE
        if in_transaction:
            raw.execute("SAVEPOINT servicedesk_bound_on_server")
        try:
            with connection.bound_on_server():
                result = read()
        except (ProgrammingError, DataError):  # a value's type it cannot tell, or a mismatch
            if in_transaction:
                raw.execute("ROLLBACK TO SAVEPOINT servicedesk_bound_on_server")
            self.on_server = False
            return read()
        if in_transaction:
            raw.execute("RELEASE SAVEPOINT servicedesk_bound_on_server")
        self.on_server = True
        return result
