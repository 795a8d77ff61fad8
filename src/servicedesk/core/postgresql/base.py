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

from datetime import UTC
from typing import Any

from django.db.backends.postgresql import base
from psycopg import adapters
from psycopg.pq import Format

# psycopg's own loader: the C extension's class when it is installed, its Python one otherwise.
INSTANT_LOADER = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        cursor = super().create_cursor(name)
        if self.timezone is UTC:
            # On the cursor, not the connection: Django's own set-up of each cursor reads the
            # time zone from the connection's loader.
            cursor.adapters.register_loader("timestamptz", INSTANT_LOADER)
        return cursor
