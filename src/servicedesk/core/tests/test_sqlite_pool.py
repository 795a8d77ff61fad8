"""The web server under ASGI keeps its SQLite connections in a pool: a request borrows an open
one and gives it back at its end, clean, and the pool keeps no more than its size. Elsewhere
(WSGI, commands, workers) a connection is closed as before."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import DatabaseError, connection, connections, transaction
from django.db.backends.signals import connection_created

from servicedesk.config.settings import pooled_for_asgi
from servicedesk.core.sqlite import pool as pools

pytestmark = pytest.mark.django_db(transaction=True)

T = TypeVar("T")
POOL_SIZE = 2


@pytest.fixture(autouse=True)
def on_sqlite() -> Iterator[None]:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's pool is psycopg's")
    yield
    _empty_pools()


@pytest.fixture
def as_under_asgi() -> Iterator[None]:
    """The database set up as `config/asgi.py` sets it, for connections opened from now on."""
    database = connections.settings["default"]
    kept = dict(database), dict(database["OPTIONS"])
    pooled_for_asgi(database, POOL_SIZE)
    yield
    database.update(kept[0])
    database["OPTIONS"] = kept[1]


def _empty_pools() -> None:
    for pool in list(pools._pools.values()):
        for idle in pool.idle:
            idle.close()
    pools._pools.clear()


def in_a_thread(work: Callable[[], T]) -> T:
    """`work` in a thread of its own, with a Django connection of its own, as a request under
    ASGI has."""
    results: list[T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as failure:
            failures.append(failure)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    if failures:
        raise failures[0]
    return results[0]


def a_request(opening: Callable[[], object] = lambda: None) -> sqlite3.Connection:
    """Touch the database, then close as Django does at a request's end; the raw connection."""
    connection.ensure_connection()
    opening()
    raw: sqlite3.Connection = connection.connection
    connection.close()
    return raw


def is_closed(raw: sqlite3.Connection) -> bool:
    try:
        raw.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def idle_connections() -> list[sqlite3.Connection]:
    return [idle for pool in pools._pools.values() for idle in pool.idle]


def serve(paths: list[str]) -> list[int]:
    """Each path requested at once from Django's ASGI handler (what uvicorn calls)."""

    async def request(path: str) -> int:
        sent: list[Mapping[str, Any]] = []
        stays_connected = asyncio.Event()
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:  # the client stays connected until the handler is done
                await stays_connected.wait()
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Mapping[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"testserver")],
            "client": ("127.0.0.1", 40000),
            "server": ("testserver", 80),
        }
        await ASGIHandler()(scope, receive, send)
        return int(sent[0]["status"])

    async def all_at_once() -> list[int]:
        return list(await asyncio.gather(*(request(path) for path in paths)))

    # A loop of its own in a thread of its own: a browser test's loop may run in this one.
    return in_a_thread(lambda: asyncio.run(all_at_once()))


@pytest.fixture
def opened() -> Iterator[list[sqlite3.Connection]]:
    """The raw connection of each Django connection opened (or borrowed) from now on."""
    seen: list[sqlite3.Connection] = []

    def note(connection: Any, **kwargs: Any) -> None:
        seen.append(connection.connection)

    connection_created.connect(note)
    yield seen
    connection_created.disconnect(note)


@pytest.mark.usefixtures("as_under_asgi")
def test_the_second_request_under_asgi_gets_the_connection_the_first_gave_back(
    opened: list[sqlite3.Connection],
) -> None:
    assert serve(["/readyz"]) == [200]
    assert serve(["/readyz"]) == [200]
    assert len(opened) == 2
    assert opened[1] is opened[0]
    assert not is_closed(opened[0])


def test_without_the_pool_each_request_under_asgi_opens_its_own(
    opened: list[sqlite3.Connection],
) -> None:
    connections.settings["default"]["CONN_MAX_AGE"] = 0  # as before the pool
    try:
        assert serve(["/readyz"]) == [200]
        assert serve(["/readyz"]) == [200]
    finally:
        connections.settings["default"]["CONN_MAX_AGE"] = 600
    assert len(opened) == 2
    assert opened[1] is not opened[0]
    assert is_closed(opened[0])


@pytest.mark.usefixtures("as_under_asgi")
def test_concurrent_requests_leave_no_more_than_the_pool_size_open(
    opened: list[sqlite3.Connection],
) -> None:
    assert serve(["/readyz"] * 6) == [200] * 6
    assert len(idle_connections()) <= POOL_SIZE
    assert all(is_closed(raw) for raw in opened if raw not in idle_connections())


@pytest.mark.usefixtures("as_under_asgi")
def test_of_more_connections_at_once_than_its_size_the_pool_keeps_its_size() -> None:
    all_hold_one = threading.Barrier(5)

    def hold_until_all_do() -> sqlite3.Connection:
        return a_request(lambda: all_hold_one.wait(5))

    holders = [threading.Thread(target=lambda: raws.append(hold_until_all_do())) for _ in range(5)]
    raws: list[sqlite3.Connection] = []
    for holder in holders:
        holder.start()
    for holder in holders:
        holder.join(10)
    assert len({id(raw) for raw in raws}) == 5
    assert len(idle_connections()) == POOL_SIZE
    assert sum(is_closed(raw) for raw in raws) == 5 - POOL_SIZE


@pytest.mark.usefixtures("as_under_asgi")
def test_a_transaction_left_open_is_rolled_back_before_the_next_request_gets_it() -> None:
    def begin_and_leave() -> None:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE marks (mark TEXT)")
            cursor.execute("BEGIN")
            cursor.execute("INSERT INTO marks VALUES ('left behind')")

    first = in_a_thread(lambda: a_request(begin_and_leave))

    def count_marks() -> tuple[sqlite3.Connection, bool, int]:
        connection.ensure_connection()
        raw = connection.connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM marks")  # the same connection: its TEMP table
            (marks,) = cursor.fetchone()
        connection.close()
        return raw, raw.in_transaction, marks

    second, in_transaction, marks = in_a_thread(count_marks)
    assert second is first
    assert (in_transaction, marks) == (False, 0)


@pytest.mark.usefixtures("as_under_asgi")
def test_a_connection_an_error_occurred_on_is_closed_not_handed_out() -> None:
    def fail() -> None:
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    failed = in_a_thread(lambda: a_request(fail))
    assert is_closed(failed)
    assert in_a_thread(a_request) is not failed


@pytest.mark.usefixtures("as_under_asgi")
def test_a_connection_closed_inside_a_transaction_is_closed_not_handed_out() -> None:
    def close_inside_atomic() -> sqlite3.Connection:
        raw: sqlite3.Connection | None = None
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            raw = connection.connection
            connection.close()
            connection.cursor()  # Django refuses to open another inside the block
        assert raw is not None
        return raw

    closed = in_a_thread(close_inside_atomic)
    assert is_closed(closed)
    assert idle_connections() == []


def test_outside_asgi_a_connection_is_closed_as_before() -> None:
    """WSGI, management commands and task workers keep their connection themselves
    (`CONN_MAX_AGE`) and close it for real."""
    assert "pool" not in connections.settings["default"]["OPTIONS"]
    closed = in_a_thread(a_request)
    assert is_closed(closed)
    assert idle_connections() == []


def test_an_in_memory_database_is_never_pooled() -> None:
    memory = connection.copy()
    memory.settings_dict["NAME"] = "file:pooltest?mode=memory&cache=shared"
    memory.settings_dict["OPTIONS"]["pool"] = POOL_SIZE
    memory.ensure_connection()
    assert memory.pool is None  # type: ignore[attr-defined]
    memory.connection.close()
