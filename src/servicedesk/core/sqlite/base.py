"""Django's SQLite backend, with writers queued by the kernel instead of SQLite's busy handler.

SQLite lets one transaction write at a time. A second writer's `BEGIN IMMEDIATE` finds the lock
taken and SQLite's busy handler puts it to sleep, for 1, 2, 5, 10, 15, 20, 25 … 100 ms, trying
again after each sleep: a writer that finds the lock taken a few times in a row sleeps tens of
milliseconds while the lock may have been free for most of them. With eight desks filing at once
the lock sat idle more than it was held, and more concurrency meant fewer filings per second.

Here each transaction first takes an exclusive `flock` on a file beside the database
(`<database>.writers`), then begins. The kernel queues the writers and wakes the next one the
moment the lock is let go, at COMMIT or ROLLBACK: no sleeping, no polling. Every process and
thread using this engine on the same file queues the same way (a `flock` belongs to the open
file, and each connection opens its own). A write made outside a transaction (one INSERT,
UPDATE or DELETE in autocommit: a rate counter, a session) waits in the same line for its one
statement: left to the busy handler it would hardly ever find the lock free, since the queued
writers hand it straight on to each other.

A writer waits at most the configured `timeout` (20 s in `config/settings.py`), as SQLite's
busy handler would, then fails with the same "database is locked". The WAL's checkpoints happen
outside the line, in a thread of their own (`checkpoints.py`).

With `OPTIONS["pool"]` (the web server under ASGI, `config/asgi.py`) a connection is borrowed
from the process's pool and given back when Django closes it (`pool.py`).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation

from servicedesk.core.sqlite.checkpoints import BACKSTOP_PAGES, Checkpointer, checkpointer
from servicedesk.core.sqlite.pool import ConnectionPool, pool_for

DEFAULT_TIMEOUT = 5.0  # sqlite3's own default


class WriterQueue:
    """An exclusive lock on `<database>.writers`, held from BEGIN to COMMIT or ROLLBACK."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.descriptor: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        if self.descriptor is None:
            # Readable and writable as the umask allows, as SQLite creates its own files.
            self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        descriptor = self.descriptor
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait(descriptor)
        self.held = True

    def _wait(self, descriptor: int) -> None:
        """Block in the kernel until the lock is ours, at most `timeout` seconds. A blocking
        `flock` cannot time out, so a helper thread waits in it; if the time runs out first,
        the helper lets go of the lock as soon as it gets it."""
        got = threading.Event()
        state = {"abandoned": False}
        guard = threading.Lock()

        def wait_for_lock() -> None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            with guard:
                if state["abandoned"]:  # the file is the helper's now: let go and close it
                    os.close(descriptor)
                    return
                got.set()

        threading.Thread(target=wait_for_lock, daemon=True, name="sqlite-writer-wait").start()
        if got.wait(self.timeout):
            return
        with guard:
            if got.is_set():
                return
            state["abandoned"] = True
            self.descriptor = None  # the next transaction opens the file afresh
        raise OperationalError("database is locked")

    def release(self) -> None:
        if self.held and self.descriptor is not None:
            fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        self.held = False

    def close(self) -> None:
        self.release()
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None


def lock_path(database: str) -> str:
    return f"{database}.writers"


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        super()._destroy_test_db(test_database_name, verbosity)  # type: ignore[misc]
        if test_database_name and not self.is_in_memory_db(test_database_name):
            # The WAL's two files outlive the database while a connection to it is open, as
            # the checkpointer's thread keeps one for the life of the process.
            for leftover in ("-wal", "-shm"):
                Path(f"{test_database_name}{leftover}").unlink(missing_ok=True)
            Path(lock_path(test_database_name)).unlink(missing_ok=True)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class QueuedCursor(base.SQLiteCursorWrapper):
    """Django's cursor, which puts a write made outside a transaction in the writers' line."""

    writers: WriterQueue | None = None

    def execute(self, query: str, params: Any = None) -> Any:
        if not self._alone_write(query):
            return super().execute(query, params)
        return self._in_line(lambda: super(QueuedCursor, self).execute(query, params))

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self._alone_write(query):
            return super().executemany(query, param_list)
        return self._in_line(lambda: super(QueuedCursor, self).executemany(query, param_list))

    def _alone_write(self, query: str) -> bool:
        writers = self.writers
        return (
            writers is not None
            and not writers.held
            and not self.connection.in_transaction
            and query.lstrip()[:7].upper().startswith(WRITES)
        )

    def _in_line(self, statement: Any) -> Any:
        writers = self.writers
        assert writers is not None
        writers.acquire()
        try:
            return statement()
        finally:
            writers.release()


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writers: WriterQueue | None = None
        self.checkpoints: Checkpointer | None = None
        self.pool: ConnectionPool | None = None

    def get_connection_params(self) -> Any:
        params = super().get_connection_params()
        pool_size = int(params.pop("pool", 0))
        self.pool = None
        if pool_size and not self.is_in_memory_db():
            # Connections opened with other options or set-up are not alike: a pool of their own.
            options = self.settings_dict["OPTIONS"]
            opened_as = repr((self.settings_dict["NAME"], sorted(options.items())))
            self.pool = pool_for(opened_as, pool_size)
        return params

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = self.pool.take() if self.pool is not None else None
        if connection is not None:
            # The one setting Django changes on a connection it keeps (constraint checks off
            # while loading data or altering a table): on again, as on a new connection.
            connection.execute("PRAGMA foreign_keys = ON")
        else:
            connection = super().get_new_connection(conn_params)
            if not self.is_in_memory_db():
                # Checkpoints are the checkpointer's; this connection's own only past the backstop.
                connection.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        if not self.is_in_memory_db():
            self.checkpoints = checkpointer(str(self.settings_dict["NAME"]))
        return connection

    def _writer_queue(self) -> WriterQueue | None:
        if self.writers is None and not self.is_in_memory_db():
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
            self.writers = WriterQueue(lock_path(str(self.settings_dict["NAME"])), timeout)
        return self.writers

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.writers = self._writer_queue()
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        queue = self._writer_queue()
        if queue is not None:
            queue.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._let_next_writer_in()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._let_next_writer_in()
        if self.checkpoints is not None:
            self.checkpoints.committed()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._let_next_writer_in()

    def _close(self) -> None:
        try:
            if self.pool is not None and self.connection is not None and self._reusable():
                self._give_back(self.pool)
            else:
                super()._close()  # type: ignore[misc]
        finally:
            if self.writers is not None:
                self.writers.close()

    def _reusable(self) -> bool:
        """Whether the next request may have this connection: nothing failed on it since its
        last commit or rollback, it is not closed mid-`atomic` (whose owner still counts on
        it), and its autocommit is as Django set it."""
        return (
            not self.in_atomic_block
            and not self.errors_occurred
            and self.autocommit == self.settings_dict["AUTOCOMMIT"]
        )

    def _give_back(self, pool: ConnectionPool) -> None:
        connection = self.connection
        self.connection = None  # the next request's from now on
        try:
            if connection.in_transaction:  # begun by hand and left open: undone, as close would
                connection.rollback()
        except sqlite3.Error:
            connection.close()
            return
        pool.give_back(connection)

    def _let_next_writer_in(self) -> None:
        if self.writers is not None:
            self.writers.release()
