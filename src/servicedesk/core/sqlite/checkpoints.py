"""The WAL's checkpoints, moved out of the writers' line.

SQLite copies the write-ahead log back into the database (a checkpoint) in the connection whose
commit found the log past 1,000 pages, before that commit returns: with the writers queued on a
file lock (`base.py`) the lock was let go only after the checkpoint, and every other writer
waited for it. Measured on the benchmark database under load: a filing's commit took 0.26 ms at
p50 and 2.1 ms on average, the checkpoints (up to 40 ms, two disk flushes each) being the
difference.

Here each process has one thread per database file that checkpoints (PASSIVE: it copies what no
reader still needs, beside writers and readers) on its own connection, asked after every
`CHECKPOINT_EVERY` commits of the process. A connection's own automatic checkpoint stays as a
backstop, at `BACKSTOP_PAGES`, should the thread fall behind.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY = 20  # commits; a filing writes some 30–40 pages, so about 700 pages apart
BACKSTOP_PAGES = 10_000


class Checkpointer:
    """Checkpoints one database file from a thread of its own, when asked."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.commits = itertools.count(1)
        self.wanted = threading.Event()
        self.runs = 0
        self.process: int | None = None  # the thread's process: a fork leaves it behind
        self.starting = threading.Lock()

    def committed(self) -> None:
        """Note a commit; every `CHECKPOINT_EVERY`th asks the thread to checkpoint."""
        if next(self.commits) % CHECKPOINT_EVERY == 0:
            self.ask()

    def ask(self) -> None:
        if self.process != os.getpid():
            with self.starting:
                if self.process != os.getpid():
                    self.process = os.getpid()
                    threading.Thread(
                        target=self._run, daemon=True, name="sqlite-checkpoint"
                    ).start()
        self.wanted.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                # A busy or vanished file: the next request, or the backstop, does it.
                logger.warning("WAL checkpoint of %s failed", self.path, exc_info=True)
            self.runs += 1


_checkpointers: dict[str, Checkpointer] = {}
_registry = threading.Lock()


def checkpointer(path: str) -> Checkpointer:
    """The process's checkpointer of the database file at `path`."""
    with _registry:
        found = _checkpointers.get(path)
        if found is None:
            found = _checkpointers[path] = Checkpointer(path)
        return found
