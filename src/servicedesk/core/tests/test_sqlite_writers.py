"""SQLite's writers wait in line on a file lock: the next one goes on as soon as the lock is let
go, and none waits longer than the database's timeout."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError

from servicedesk.core.sqlite.base import WriterQueue


def test_the_next_writer_goes_on_as_soon_as_the_first_commits(tmp_path: Path) -> None:
    first = WriterQueue(str(tmp_path / "db.writers"), timeout=10)
    second = WriterQueue(str(tmp_path / "db.writers"), timeout=10)
    first.acquire()
    got_it_at: list[float] = []

    def wait_in_line() -> None:
        second.acquire()
        got_it_at.append(time.monotonic())

    waiter = threading.Thread(target=wait_in_line)
    waiter.start()
    time.sleep(0.3)
    assert not got_it_at  # still waiting
    released_at = time.monotonic()
    first.release()
    waiter.join(5)
    assert got_it_at and got_it_at[0] - released_at < 0.1
    second.close()
    first.close()


def test_a_writer_waits_no_longer_than_the_timeout(tmp_path: Path) -> None:
    holder = WriterQueue(str(tmp_path / "db.writers"), timeout=10)
    impatient = WriterQueue(str(tmp_path / "db.writers"), timeout=0.2)
    holder.acquire()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        impatient.acquire()
    assert time.monotonic() - started < 2
    holder.release()
    # The writer that gave up lets go of the lock as soon as it gets it: nobody is blocked.
    later = WriterQueue(str(tmp_path / "db.writers"), timeout=2)
    later.acquire()
    later.close()
    holder.close()
    impatient.close()


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_waits_in_the_same_line() -> None:
    from django.db import connection, connections, transaction

    from servicedesk.core.models import RateCounter

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL has no one write lock to queue for")
    committed_at: list[float] = []
    holding = threading.Event()

    def hold_the_lock() -> None:
        with transaction.atomic():
            RateCounter.objects.create(limit_name="test", subject="holder", window_start=1)
            holding.set()
            time.sleep(0.3)
        committed_at.append(time.monotonic())
        connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(5)
    writers = getattr(connection, "writers", None)
    assert writers is None or not writers.held
    started = time.monotonic()
    RateCounter.objects.create(limit_name="test", subject="alone", window_start=1)  # autocommit
    written_at = time.monotonic()
    holder.join(5)
    assert written_at - started > 0.15  # it waited for the transaction…
    assert committed_at and abs(written_at - committed_at[0]) < 0.1  # …and went on at once
    writers = getattr(connection, "writers", None)
    assert writers is not None and not writers.held


@pytest.mark.django_db(transaction=True)
def test_commits_leave_the_wal_checkpoint_to_a_thread_of_their_own() -> None:
    from django.db import connection, transaction

    from servicedesk.core.models import RateCounter
    from servicedesk.core.sqlite.checkpoints import BACKSTOP_PAGES, CHECKPOINT_EVERY

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL checkpoints in a process of its own")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (BACKSTOP_PAGES,)  # a commit checkpoints only past it
    checkpoints = getattr(connection, "checkpoints", None)
    assert checkpoints is not None
    runs = checkpoints.runs
    for number in range(CHECKPOINT_EVERY):
        with transaction.atomic():
            RateCounter.objects.create(limit_name="test", subject=f"s{number}", window_start=1)
    deadline = time.monotonic() + 5
    while checkpoints.runs == runs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpoints.runs > runs
