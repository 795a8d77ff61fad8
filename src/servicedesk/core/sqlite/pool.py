"""Open SQLite connections kept by a process for its next requests (the web server under ASGI).

Under ASGI each request's synchronous code runs in a thread of its own, with a Django connection
of its own, so a connection kept open "for reuse" (`CONN_MAX_AGE`) would never be reused, only
left behind: `config/asgi.py` turns that off. Without a pool every request would then open its
SQLite file again and run its set-up (Django's functions, the pragmas of `config/settings.py`):
about 1.6 ms a request, more than a bare page costs. With `OPTIONS["pool"]` set to a size, the
backend (`base.py`) borrows an open connection here when a request first touches the database
and gives it back when Django closes the connection at the request's end.

A pool only keeps connections; it never makes a request wait. When more requests than its size
run at once, the ones that find it empty open a connection as before, and of those given back
only as many are kept as the size allows; the rest are closed. SQLite has no server whose
connection slots need sharing out, and a request that waits for another request's connection
(a chat's live stream holds one while it reads) could wait a long time.

A connection never crosses a `fork`: the pools are per process, and one borrowed in a parent
and given back in a child is left alone (closing it could check the WAL back in under the
parent's feet).
"""

from __future__ import annotations

import os
import sqlite3
import threading


class ConnectionPool:
    """Idle connections to one database, opened alike, at most `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.process = os.getpid()
        self.idle: list[sqlite3.Connection] = []
        self.lock = threading.Lock()

    def take(self) -> sqlite3.Connection | None:
        """The connection given back last (its pages are the likeliest to be cached), if any."""
        with self.lock:
            return self.idle.pop() if self.idle else None

    def give_back(self, connection: sqlite3.Connection) -> None:
        """Keep a clean connection (not in a transaction, nothing failed on it) for the next."""
        if self.process != os.getpid():
            _left_by_parent.append(connection)
            return
        with self.lock:
            if len(self.idle) < self.size:
                self.idle.append(connection)
                return
        connection.close()


# Connections a forked process got from its parent: kept from the garbage collector, which
# would close them.
_left_by_parent: list[sqlite3.Connection] = []
_pools: dict[tuple[int, str], ConnectionPool] = {}
_registry = threading.Lock()


def pool_for(opened_as: str, size: int) -> ConnectionPool:
    """This process's pool of connections opened as `opened_as` says (file, options, set-up)."""
    key = (os.getpid(), opened_as)
    with _registry:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = ConnectionPool(size)
        return found
