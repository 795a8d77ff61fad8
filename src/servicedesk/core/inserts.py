"""New rows written in one INSERT, with less Python than `QuerySet.bulk_create`.

A filing writes five small batches (history, clocks, their events, the notification, the mail)
and `bulk_create` spent more time preparing each than the database took to write it: it checks
its options, builds and compiles a query object, asks every field for its placeholder and wraps
the statement in a transaction of its own. Here the statement's text is built once per model,
row count and vendor, and each value goes through its field's own preparation
(`get_db_prep_save`, as Django's compiler does), so what reaches the database is the same.

The same rules as `bulk_create`: no signals, no `save()`; the primary keys come back through
`RETURNING` (both databases have it) and are set on the rows. A model with a field that needs a
placeholder of its own, a row that names its own primary key or holds an expression, and a batch
of more than `MOST_ROWS` (which `bulk_create` splits to fit the database's limits) go through
`bulk_create`.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
MOST_ROWS = 50


@cache
def _columns(model: type[models.Model]) -> tuple[models.Field[object, object], ...] | None:
    """The fields an INSERT writes (all concrete ones but the automatic primary key), or None
    where a field needs more than `%s` (a geometry, …)."""
    meta = model._meta
    fields = tuple(
        field
        for field in meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField)) and not field.generated
    )
    if any(hasattr(field, "get_placeholder") for field in fields):
        return None
    return fields


@cache
def _statement(model: type[models.Model], vendor: str, rows: int, ignoring: bool) -> str:
    fields = _columns(model)
    assert fields is not None
    quote = connection.ops.quote_name
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = "INSERT OR IGNORE INTO" if ignoring and vendor == "sqlite" else "INSERT INTO"
    sql = (
        f"{head} {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([one_row] * rows)}"
    )
    if ignoring:
        return sql + (" ON CONFLICT DO NOTHING" if vendor == "postgresql" else "")
    return f"{sql} RETURNING {quote(model._meta.pk.column)}"


def insert_rows(rows: list[M], *, ignore_conflicts: bool = False) -> list[M]:
    """Write `rows` (new instances of one model) in one statement; with `ignore_conflicts` a
    row that breaks a unique constraint is left out, and no primary keys are set (as
    `bulk_create` does)."""
    if not rows:
        return rows
    model = type(rows[0])
    fields = _columns(model)
    pk = model._meta.pk
    if fields is None or len(rows) > MOST_ROWS or any(row.pk is not None for row in rows):
        return model._default_manager.bulk_create(rows, ignore_conflicts=ignore_conflicts)
    values: list[Any] = []
    for row in rows:
        # Related rows saved since they were assigned: their keys, as `save()` would take them.
        row._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
        raw = [field.pre_save(row, True) for field in fields]
        if any(hasattr(value, "resolve_expression") for value in raw):
            return model._default_manager.bulk_create(rows, ignore_conflicts=ignore_conflicts)
        values.extend(
            field.get_db_prep_save(value, connection)
            for field, value in zip(fields, raw, strict=True)
        )
    sql = _statement(model, connection.vendor, len(rows), ignore_conflicts)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        keys = [] if ignore_conflicts else cursor.fetchall()
    for row, (key,) in zip(rows, keys, strict=False):
        setattr(row, pk.attname, key)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
    return rows
