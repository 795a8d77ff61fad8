"""Fixtures for every test in the repository (src/, tests/e2e/, bench/)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps

# Rows that data migrations seed. A transactional test (threads, live server, browser) ends by
# emptying every table, so the next one would otherwise start without the priority matrix, the
# ticket counters or the mail templates that a real installation always has.
REFERENCE_DATA = [
    ("servicedesk.catalog.migrations.0003_priority_matrix", "fill_matrix"),
    ("servicedesk.tickets.migrations.0002_counters_and_history_guard", "create_counters"),
    ("servicedesk.notifications.migrations.0002_default_templates", "seed"),
]


def seed_reference_data() -> None:
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        seed_reference_data()


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete_on_postgresql() -> Iterator[None]:
    """PostgreSQL's flush of a test database by DELETE, not TRUNCATE.

    A transactional test ends by emptying every table. TRUNCATE gives each of the hundred-odd
    tables and their indexes new files, under an exclusive lock: 0.4 s on an idle machine and
    1-3 s with the suite on both cores, for some 150 tests a pass. DELETE of the few rows a test
    leaves takes 0.05 s. The foreign keys are checked at commit, when every row is gone; the
    sequences go on counting either way, as after Django's TRUNCATE.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def flush(self: Any, style: Any, tables: list[str], **options: bool) -> list[str]:
        if options.get("reset_sequences") or options.get("allow_cascade") or not tables:
            return truncate(self, style, tables, **options)
        deletes = [f"DELETE FROM {self.quote_name(table)}" for table in tables]
        return ["SET CONSTRAINTS ALL DEFERRED", *deletes]

    DatabaseOperations.sql_flush = flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids repeat between tests' databases, so a cached
    report of one test must never answer the next (the reports cache per scope)."""
    from django.core.cache import cache

    cache.clear()


# The real servers the sign-in tests run against (slapd, an OpenID provider under node).
pytest_plugins = ["tests.servers.fixtures"]
