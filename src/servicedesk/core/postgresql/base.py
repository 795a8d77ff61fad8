"""Django's PostgreSQL backend, with instants read by psycopg's compiled loader.

Django registers a loader of its own for `timestamptz` on every connection, so that an instant
comes back in the connection's time zone, or without one when time zones are off. It is a
subclass of psycopg's loader written in Python, so every instant a query returns is parsed by
Python code, some 15 µs each, even where psycopg's C extension (`psycopg[binary]`) would do it
for a fraction of that. A queue page reads about 130 instants (25 tickets, their assignees, their
due times): measured in one process, in turns, its CPU time fell by 2-4 ms with the compiled
loader (about 45 ms a page on the benchmark machine); the API's list of 50 and the agent's
ticket page by about 2 ms.

Django sets every connection's time zone to UTC when time zones are on and the database has none
of its own (our settings), and psycopg's loader then returns each instant in UTC, as Django's
does. Where that is not so, Django's loader is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from django.db.backends.postgresql import base, operations
from psycopg import ClientCursor, adapters
from psycopg.pq import Format

# psycopg's own loader: the C extension's class when it is installed, its Python one otherwise.
INSTANT_LOADER = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str:
        """The SQL with its values, for a statement bound on the server too (which psycopg
        keeps without them, as `$1`, or not at all once prepared)."""
        if isinstance(cursor, ClientCursor):
            return super().last_executed_query(cursor, sql, params)
        return str(self.compose_sql(sql, params))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    # Set while a kept statement is read (`bound_on_server`).
    _binding_on_server = False

    @property
    def prepares_statements(self) -> bool:
        """Whether psycopg prepares the statements bound on the server (`prepare_threshold`
        in the database's options: `SERVICEDESK_DB_PREPARED_STATEMENTS`)."""
        return self.settings_dict["OPTIONS"].get("prepare_threshold") is not None

    @contextmanager
    def bound_on_server(self) -> Iterator[None]:
        """Cursors opened inside hand their values to PostgreSQL apart from the SQL, so that
        psycopg can prepare the statement (when `prepares_statements`). Only for statements
        whose SQL is fixed and whose every value's type PostgreSQL can tell from its place
        (`core.kept_queries`); Django's ORM does not promise that of every statement, and
        binds every other one on the client."""
        outer = self._binding_on_server
        self._binding_on_server = self.prepares_statements
        try:
            yield
        finally:
            self._binding_on_server = outer

    def create_cursor(self, name: str | None = None) -> Any:
        if self._binding_on_server and name is None and self.timezone is UTC:
            cursor = base.ServerBindingCursor(self.connection)  # type: ignore[attr-defined]
        else:
            cursor = super().create_cursor(name)
        if self.timezone is UTC:
            # On the cursor, not the connection: Django's own set-up of each cursor reads the
            # time zone from the connection's loader.
            cursor.adapters.register_loader("timestamptz", INSTANT_LOADER)
        return cursor
