"""Configuration read once per process until it changes, instead of once per write.

A filing reads the same configuration every time: the SLA rules with their calendars, the
priority matrix, the codes' targets, the mail template, the webhook subscriptions. Each was a
query (most of them inside the filing's transaction, where on SQLite every other writer waits).
Now a write that reads configuration does it inside `one_edition()`: one query reads the edition
(`ConfigEdition`, whose number the database's own triggers change with every insert, update or
delete in a watched table, whatever made it: the admin, a service, a queryset update, raw SQL),
and `cached(name, load)` answers from what this process loaded under that same edition.

Outside `one_edition()`, `cached` just loads: every other reader sees the database as before.
What `cached` returns is shared by every request of the process: read it, never change it.
The triggers are (re)created after every `migrate` (SQLite drops a table's triggers when a
migration rebuilds the table), and a missing edition row means nothing is cached.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

from django.apps import apps
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

T = TypeVar("T")
M = TypeVar("M", bound="Model")
P = ParamSpec("P")

EDITION_TABLE = "core_configedition"
EDITION_ROW = 1
# The models whose rows a write reads as configuration; a tuple names the only columns whose
# updates matter (a person's sign-ins change their row all day; only these decide what they may
# hear and how the staff pickers list them). Inserts and deletes always do.
# The agent's ticket page keeps its drop-down lists too (`core.model_choices`): the catalog,
# the groups, and the staff by name; and its ticket's catalog, group, location and agency rows
# (`kept_row`) instead of joining them.
WATCHED: dict[str, tuple[str, ...] | None] = {
    "sla.SlaRule": None,
    "sla.BusinessCalendar": None,
    "sla.CalendarClosure": None,
    "catalog.PriorityMatrixCell": None,
    "catalog.PriorityCodeTarget": None,
    "catalog.PriorityCode": None,
    "catalog.Category": None,
    "catalog.Service": None,
    "catalog.RequestType": None,
    "directory.SupportGroup": None,
    "directory.Agency": None,
    "directory.Location": None,
    "directory.ExternalHelpDesk": None,
    "notifications.MailTemplate": None,
    "api.WebhookSubscription": None,
    "directory.Person": ("is_active", "role", "first_name", "last_name", "username"),
}

_current: ContextVar[int | None] = ContextVar("configuration_edition", default=None)
_loaded: dict[str, tuple[int, Any]] = {}
_lock = threading.Lock()


def edition_now() -> int | None:
    """The configuration's edition as this connection sees it; None without the row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT edition FROM {EDITION_TABLE} WHERE id = %s", [EDITION_ROW])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@contextmanager
def one_edition() -> Iterator[None]:
    """Read the edition once (one query) for everything `cached` is asked inside; nested
    blocks share the outer block's reading."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(edition_now())
    try:
        yield
    finally:
        _current.reset(token)


def reading_one_edition() -> bool:
    """Whether `cached` answers from what the process keeps (inside `one_edition()`)."""
    return _current.get() is not None


def reads_configuration(function: Callable[P, T]) -> Callable[P, T]:
    """Run a write inside `one_edition()`: its configuration costs one query, not one each."""

    @wraps(function)
    def in_one_edition(*args: P.args, **kwargs: P.kwargs) -> T:
        with one_edition():
            return function(*args, **kwargs)

    return in_one_edition


def is_watched(model: Any) -> bool:
    """Whether every change of the model's rows (that matters) changes the edition."""
    return model is not None and model._meta.label in WATCHED


def cached(name: str, load: Callable[[], T]) -> T:
    """`load()`'s answer as this process loaded it under the current edition, loading it if
    it has not; outside `one_edition()` (or without an edition row) simply `load()`."""
    edition = _current.get()
    if edition is None:
        return load()
    with _lock:
        held = _loaded.get(name)
    if held is not None and held[0] == edition:
        return cast(T, held[1])
    value = load()
    with _lock:
        _loaded[name] = (edition, value)
    return value


def kept_row(model: type[M], pk: int, *related: str) -> M:
    """The row of a watched model, from every row of it kept by this process (with `related`
    joined), inside `one_edition()`; read on its own when it is newer than what is kept."""
    assert is_watched(model) and all(is_watched(_related_model(model, name)) for name in related)

    def every_row() -> dict[int, M]:
        return {row.pk: row for row in model._default_manager.select_related(*related)}

    rows = cached(f"rows:{model._meta.label}:{','.join(related)}", every_row)
    found = rows.get(pk)
    return (
        found if found is not None else model._default_manager.select_related(*related).get(pk=pk)
    )


def _related_model(model: Any, name: str) -> Any:
    return model._meta.get_field(name).related_model


def forget() -> None:
    """Drop everything loaded (tests that swap the database underneath)."""
    with _lock:
        _loaded.clear()


def _trigger_sql(vendor: str, table: str, columns: tuple[str, ...] | None) -> list[str]:
    """A watched table's triggers: every insert and delete, and every update (of `columns`
    only, when the table names some)."""
    name = f"{table}_edition"
    update = "UPDATE OF " + ", ".join(columns) if columns else "UPDATE"
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR {update} OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION core_configedition_bump()"
        ]
    bump = f"UPDATE {EDITION_TABLE} SET edition = random() WHERE id = {EDITION_ROW};"
    by_suffix = {"insert": "INSERT", "update": update, "delete": "DELETE"}
    # Dropped first: SQLite has no CREATE OR REPLACE, and a trigger of an older release may
    # watch other columns.
    return [
        statement
        for suffix, event in by_suffix.items()
        for statement in (
            f"DROP TRIGGER IF EXISTS {name}_{suffix}",
            f"CREATE TRIGGER {name}_{suffix} AFTER {event} ON {table} BEGIN {bump} END",
        )
    ]


POSTGRES_BUMP = f"""
    CREATE OR REPLACE FUNCTION core_configedition_bump() RETURNS trigger AS $$
    BEGIN
        UPDATE {EDITION_TABLE} SET edition = floor(random() * 9e18)::bigint
        WHERE id = {EDITION_ROW};
        RETURN NULL;
    END; $$ LANGUAGE plpgsql
"""


def install(using: BaseDatabaseWrapper | None = None) -> None:
    """The edition row and the watched tables' triggers, created where missing (and where the
    tables exist: a migrate may stop short of some apps)."""
    target = using or connection
    tables = set(target.introspection.table_names())
    if EDITION_TABLE not in tables:
        return
    with target.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {EDITION_TABLE} WHERE id = %s", [EDITION_ROW])
        if cursor.fetchone() is None:
            # A new number, not 0: a flushed database (PostgreSQL empties it by TRUNCATE,
            # which no row trigger sees) must not meet what was loaded before the flush.
            cursor.execute(
                f"INSERT INTO {EDITION_TABLE} (id, edition) VALUES (%s, %s)",
                [EDITION_ROW, secrets.randbits(62)],
            )
        if target.vendor == "postgresql":
            cursor.execute(POSTGRES_BUMP)
        for label, columns in WATCHED.items():
            table = apps.get_model(label)._meta.db_table
            if table in tables:
                for statement in _trigger_sql(target.vendor, table, columns):
                    cursor.execute(statement)


def install_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """`post_migrate`: after every migrate and flush, so the triggers outlive table rebuilds."""
    from django.db import connections

    install(connections[using])
