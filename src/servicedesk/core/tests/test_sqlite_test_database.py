"""A test run's SQLite database goes with all of its files, whoever still has it open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.db import connection

from servicedesk.core.sqlite.base import DatabaseCreation, lock_path


def test_a_destroyed_test_database_leaves_no_file_behind(tmp_path: Path) -> None:
    name = str(tmp_path / "test_servicedesk_1.sqlite3")
    kept_open = sqlite3.connect(name)  # as the checkpointer's thread keeps its connection
    try:
        kept_open.execute("PRAGMA journal_mode = WAL")
        kept_open.execute("CREATE TABLE ticket (number TEXT)")
        kept_open.execute("INSERT INTO ticket VALUES ('INC0000001')")
        kept_open.commit()
        Path(lock_path(name)).touch()
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "test_servicedesk_1.sqlite3",
            "test_servicedesk_1.sqlite3-shm",
            "test_servicedesk_1.sqlite3-wal",
            "test_servicedesk_1.sqlite3.writers",
        ]

        DatabaseCreation(connection)._destroy_test_db(name, verbosity=0)

        assert list(tmp_path.iterdir()) == []
    finally:
        kept_open.close()
