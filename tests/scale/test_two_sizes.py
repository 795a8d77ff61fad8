"""No page a person uses daily costs more as the desk's tickets pile up.

The same pages, opened by the same people, at two sizes of the same desk (the benchmark
generator's tickets with comments, history and SLA clocks, over its requesters, groups, agencies
and states): the number of queries must be the same at both, and on PostgreSQL every query that
reads a table that grew must do so through an index, without sorting a share of it for a page of
25. The million-ticket benchmark (`bench/run.py`) measures the time; this test keeps the shape
of the work from drifting between its runs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from servicedesk.directory.models import Person
from servicedesk.tickets.queues import Queue
from tests.scale import plans
from tests.scale.population import Desk, grow

# The small desk's lists are shorter than a page (25 rows, 100 for the API), the larger one's
# full: a query per row shows as a difference.
SMALL, LARGER = 50, 600
# A table is big when it grew with the tickets (most grow tenfold; the people and the
# catalogue stay as they are).
GROWTH = 4
# At most this share of the tickets may be sorted for one page: the open backlog, a share of
# every ticket ever filed, is about 15% of them.
SORTED_SHARE = 0.05

DESK, SCOPED, EMPLOYEE, MANAGER = "desk", "network", "employee", "manager"
STAFF = (DESK, SCOPED, MANAGER)


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # `{ticket}`: the worked ticket's number
    roles: tuple[str, ...]


PAGES = [
    Page("workspace home", "/workspace/", STAFF),
    *(Page(f"queue {queue.value}", f"/workspace/queues/{queue.value}/", STAFF) for queue in Queue),
    Page("search", "/workspace/queues/all-open/?q=vpn", STAFF),
    Page("nav counts", "/workspace/counts/", STAFF),
    Page("agent's ticket page", "/workspace/tickets/{ticket}/", STAFF),
    Page("a folded form of it", "/workspace/tickets/{ticket}/form/assign/", STAFF),
    Page("chat desk", "/workspace/chat/", (DESK, SCOPED)),
    Page("chat waiting list", "/workspace/chat/waiting/", (DESK, SCOPED)),
    Page("reports", "/workspace/reports/", (MANAGER, SCOPED)),
    Page("portal home", "/portal/", (EMPLOYEE,)),
    Page("portal ticket page", "/portal/tickets/{ticket}/", (EMPLOYEE,)),
    Page("portal ticket poll", "/portal/tickets/{ticket}/live/", (EMPLOYEE,)),
    Page("API list", "/api/v1/tickets?limit=100", (DESK, SCOPED, EMPLOYEE)),
    Page("API detail", "/api/v1/tickets/{ticket}", (DESK, SCOPED, EMPLOYEE)),
]

Visit = tuple[str, str]  # (page label, role)


@dataclass
class Sizes:
    small: dict[Visit, list[str]]
    larger: dict[Visit, list[str]]
    big_tables: frozenset[str]
    tickets: int


def _clients() -> dict[str, Client]:
    clients = {}
    for username in (DESK, SCOPED, EMPLOYEE, MANAGER):
        client = Client()
        client.force_login(Person.objects.get(username=username))
        clients[username] = client
    return clients


def _visit(desk: Desk, *, warm_up: bool) -> dict[Visit, list[str]]:
    """Every page as every role that uses it: the SQL of one request, after one to warm up the
    process's caches (content types, templates, calendars, and what is kept while the
    configuration's edition stands, which growing the desk's people changes). The cache is
    emptied before each: the reports keep their figures a minute, and what is measured is the
    work of building them."""
    clients = _clients()
    captured_by_visit = {}
    for page in PAGES:
        path = page.path.format(ticket=desk.worked_ticket)
        for role in page.roles:
            if warm_up:
                clients[role].get(path)
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                response = clients[role].get(path)
            assert response.status_code == 200, f"{page.label} as {role}: {response.status_code}"
            captured_by_visit[page.label, role] = [q["sql"] for q in captured.captured_queries]
    return captured_by_visit


def _table_sizes() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def sizes(django_db_setup: None, django_db_blocker: Any) -> Iterator[Sizes]:
    """Built once for the module's tests, in a transaction rolled back at its end (each test
    runs in a savepoint of it)."""
    # A deliberately slow password hash would be most of the time this takes.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        desk = grow(SMALL, seed=1)
        small, small_tables = _visit(desk, warm_up=True), _table_sizes()
        grow(LARGER - SMALL, seed=2, desk=desk)
        larger, larger_tables = _visit(desk, warm_up=True), _table_sizes()
        big = frozenset(
            table
            for table, rows in larger_tables.items()
            if rows >= GROWTH * max(small_tables[table], 1) and rows >= LARGER // 2
        )
        assert {"tickets_ticket", "tickets_comment", "sla_ticketclock"} <= big
        yield Sizes(small, larger, big, larger_tables["tickets_ticket"])
        transaction.set_rollback(True)


def _without_columns(sql: str) -> str:
    """`SELECT … FROM …`: the column list is long and tells nothing about where a query came
    from."""
    depth = 0
    for at, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", at):
            return f"SELECT …{sql[at:]}" if sql.startswith("SELECT") else sql
    return sql


def _shape(sql: str) -> str:
    """A query with its values left out, to tell which queries a size added."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return _without_columns(re.sub(r"\((?:\?, )+\?\)", "(…)", sql))


def _added(small: list[str], larger: list[str]) -> str:
    more = Counter(map(_shape, larger)) - Counter(map(_shape, small))
    fewer = Counter(map(_shape, small)) - Counter(map(_shape, larger))
    lines = [f"  +{count} {sql}" for sql, count in more.items()]
    lines += [f"  -{count} {sql}" for sql, count in fewer.items()]
    return "\n".join(lines)


def test_no_page_runs_more_queries_on_a_bigger_desk(db: None, sizes: Sizes) -> None:
    grew = []
    for visit, small in sizes.small.items():
        larger = sizes.larger[visit]
        if len(larger) != len(small):
            label, role = visit
            grew.append(
                f"{label} as {role}: {len(small)} queries at {SMALL} tickets, "
                f"{len(larger)} at {LARGER}:\n{_added(small, larger)}"
            )
    assert not grew, "\n\n".join(grew)


def _explain(sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (document,) = cursor.fetchone()
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def _reads_of_big_tables(sizes: Sizes) -> Iterator[tuple[Visit, str]]:
    seen = set()
    for visit, queries in sizes.larger.items():
        for sql in queries:
            if not sql.startswith("SELECT") or sql in seen:
                continue
            if any(f'"{table}"' in sql for table in sizes.big_tables):
                seen.add(sql)
                yield visit, sql


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans: run with DATABASE_URL=postgres://…")


@pytest.mark.postgres
def test_no_page_reads_a_big_table_whole(on_postgres: None, db: None, sizes: Sizes) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # At a few hundred rows a sequential scan is the cheapest way to read any table, and
        # sorting a queue's few dozen rows is cheaper than walking an index in order: the planner
        # rightly takes both. Priced out of reach (10^10 more), each is taken only where no index
        # can serve the query: that is what this test looks for.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    most_sorted = SORTED_SHARE * sizes.tickets
    found = [
        f"{label} as {role}: {finding}\n  {_without_columns(sql)}"
        for (label, role), sql in _reads_of_big_tables(sizes)
        for finding in plans.findings(_explain(sql), sizes.big_tables, most_sorted)
    ]
    assert not found, "\n\n".join(found)
