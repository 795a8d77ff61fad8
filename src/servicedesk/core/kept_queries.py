"""Querysets whose SQL is compiled once for their shape, then read with any values.

Django builds a queryset's SQL anew each time it is read: for the dozen reads of a ticket's page
(its comments, files, history, clocks, ...; each `WHERE ticket_id = %s` with its joined people)
that cost the page 1-3 ms of CPU each, more than PostgreSQL took to answer them. A `KeptQuery`
wraps a function that builds a queryset from a few numbers and words (a ticket's id, a viewer's
id); it compiles that queryset once per database, and later reads put only their own values
into the kept SQL. Everything else about the read (model instances or `values_list` rows,
`select_related`, the annotations, `prefetch_related`) is Django's own, from the kept
compiler's description of the columns.

Where each value goes among the SQL's parameters is found, not assumed: the function is
compiled with two sets of stand-in values, and a statement is kept only if the two differ in
nothing but those values, each found whole at its place. Anything else (SQL that changes with a
value, a parameter derived from one, the moment read inside the function) is compiled afresh on
every read, as Django would. The function must build its queryset from its arguments alone, the
same way whatever their values (no branch on them): it may not close over anything (checked),
and what it reads besides (settings, the clock) must not change the statement's shape.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from servicedesk.core.server_binding import ServerBinding, binds_on_server, written_literal
from servicedesk.core.statements import Compiled, compiled_at_any_moment

QS = TypeVar("QS", bound=QuerySet[Any, Any])
Value = int | str

# Stand-ins for the values, one pair per argument, different between the two compilations: in
# range of every integer column, the small ones too (Django finds a lookup out of a column's
# range empty while compiling it). What a position holds in both compilations alike is a
# constant, whatever its value, so a stand-in equal to some constant by chance misleads nothing.
# The words' stand-ins change under `upper()`, `lower()` and `strip()`, so that a function that
# reworks its words is found out (its parameters no longer equal the stand-ins) and not kept.
_FIRST_INTS = tuple(20_011 + 7 * i for i in range(8))
_SECOND_INTS = tuple(21_013 + 11 * i for i in range(8))
_UNSEEN = object()


@dataclass(frozen=True)
class _Kept:
    """A compiled statement and what Django's reading of its rows needs of its compiler."""

    sql: str
    params: tuple[Any, ...]
    # The argument each parameter takes its value from, by position, and the type it is
    # handed to the database as.
    from_argument: dict[int, tuple[int, type]]
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int | None
    has_extra_select: bool
    # Where the moment goes, for a statement kept at any moment (`KeptByShape`).
    moving: Compiled | None = None
    binding: ServerBinding = field(default_factory=ServerBinding, compare=False)

    @classmethod
    def of(
        cls,
        compiler: SQLCompiler,
        sql: str,
        params: tuple[Any, ...],
        from_argument: dict[int, tuple[int, type]],
        moving: Compiled | None = None,
    ) -> _Kept:
        return cls(
            sql=sql,
            params=params,
            from_argument=from_argument,
            select=compiler.select,
            klass_info=compiler.klass_info,
            annotation_col_map=compiler.annotation_col_map,
            col_count=compiler.col_count,
            has_extra_select=compiler.has_extra_select,
            moving=moving,
        )

    def prime(
        self, compiler: SQLCompiler, args: tuple[Value, ...], moment: datetime | None
    ) -> SQLCompiler:
        """`compiler` as if it had compiled the statement with `args` at `moment`."""
        params = list(self.params)
        for position, (argument, handed_as) in self.from_argument.items():
            value = args[argument]
            params[position] = value if type(value) is handed_as else handed_as(value)
        if self.moving is not None and moment is not None:
            params = self.moving.params_at(moment, params)
        compiler.select = self.select
        compiler.klass_info = self.klass_info
        compiler.annotation_col_map = self.annotation_col_map
        compiler.col_count = self.col_count
        compiler.has_extra_select = self.has_extra_select
        statement = (self.sql, tuple(params))
        compiler.as_sql = lambda *_args, **_kwargs: statement  # type: ignore[method-assign]
        if self.binding.on_server is not False and binds_on_server(compiler.connection):
            execute_sql = compiler.execute_sql

            def execute_sql_bound_on_server(*args: Any, **kwargs: Any) -> Any:
                return self.binding.read(compiler.connection, lambda: execute_sql(*args, **kwargs))

            compiler.execute_sql = execute_sql_bound_on_server  # type: ignore[method-assign]
        return compiler


def _stand_ins(args: tuple[Value, ...], ints: tuple[int, ...], tag: str) -> tuple[Value, ...]:
    if len(args) > len(ints):
        raise ValueError("a kept query takes at most eight values")
    if any(type(arg) not in (int, str) for arg in args):
        raise TypeError("a kept query takes numbers and words only")
    return tuple(
        ints[i] if isinstance(arg, int) else f" \x1fKept-{tag}-{i} " for i, arg in enumerate(args)
    )


def _compiled(queryset: QuerySet[Any]) -> tuple[SQLCompiler, str, tuple[Any, ...]]:
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _kept(build: Callable[..., QuerySet[Any]], args: tuple[Value, ...]) -> _Kept | None:
    """`build`'s statement for values of `args`' types, or None if it cannot be kept."""
    first_args = _stand_ins(args, _FIRST_INTS, "a")
    second_args = _stand_ins(args, _SECOND_INTS, "b")
    try:
        compiler, sql, params = _compiled(build(*first_args))
        _other, other_sql, other_params = _compiled(build(*second_args))
    except (EmptyResultSet, FullResultSet):
        return None  # Django found the statement needless for a stand-in: not a shape to keep
    if sql != other_sql or len(params) != len(other_params):
        return None
    from_argument: dict[int, tuple[int, type]] = {}
    for position, (first, second) in enumerate(zip(params, other_params, strict=True)):
        if type(first) is type(second) and first == second:
            continue
        found = [
            i
            for i, (a, b) in enumerate(zip(first_args, second_args, strict=True))
            if _holds(first, a) and _holds(second, b)
        ]
        if len(found) != 1 or type(first) is not type(second):
            return None
        from_argument[position] = (found[0], type(first))
    return _Kept.of(compiler, sql, params, from_argument)


def _holds(parameter: Any, value: Value) -> bool:
    """Whether a parameter is the value itself, or the value in a wrapper of its type (Django
    hands PostgreSQL a small integer column's value as psycopg's `Int2`)."""
    return isinstance(parameter, type(value)) and parameter == value


def _kept_at_any_moment(build: Callable[[datetime], QuerySet[Any]]) -> _Kept | None:
    """`build`'s statement with where the moment goes (`core.statements`), or None if its
    shape or its other parameters move with the moment."""
    compilers: list[SQLCompiler] = []

    def compile_at(moment: datetime) -> tuple[str, tuple[Any, ...]]:
        compiler, sql, params = _compiled(build(moment))
        compilers.append(compiler)
        return sql, params

    try:
        found = compiled_at_any_moment(compile_at)
    except (EmptyResultSet, FullResultSet):
        return None
    if found is None:
        return None
    compiler = compilers[0]
    if binds_on_server(compiler.connection):
        on = compiler.connection
        found = found.with_constants_written(lambda value: written_literal(on, value))
    return _Kept.of(compiler, found.sql, found.params, {}, moving=found)


class _KeptStatementQuery(Query):
    """The query of a queryset a `KeptQuery` built: compiled, it gives the kept statement with
    its values. Any query derived from it (filtered further, sliced, counted, used inside
    another) is a clone, and a clone is a plain `Query` again, compiled as Django would."""

    kept_statement: tuple[_Kept, tuple[Value, ...], datetime | None]

    def get_compiler(
        self, using: str | None = None, connection: Any = None, elide_empty: bool = True
    ) -> SQLCompiler:
        compiler = super().get_compiler(using, connection, elide_empty)
        statement, args, moment = self.kept_statement
        return statement.prime(compiler, args, moment)

    def clone(self) -> Query:
        plain = super().clone()
        plain.__class__ = Query
        del plain.__dict__["kept_statement"]
        return plain


class KeptQuery(Generic[QS]):
    """`KeptQuery(build)(*values)` is `build(*values)`, read with the SQL kept for its shape.

    `values` are numbers and words (at most eight); `build` a function of them alone."""

    def __init__(self, build: Callable[..., QS]) -> None:
        if getattr(build, "__closure__", None):
            raise ValueError("a kept query's function may read nothing but its arguments")
        self.build = build
        self._by_shape: dict[tuple[str, tuple[type, ...]], _Kept | None] = {}
        self._lock = threading.Lock()

    def __call__(self, *args: Value) -> QS:
        queryset = self.build(*args)
        shape = (queryset.db, tuple(type(arg) for arg in args))
        kept = self._by_shape.get(shape, _UNSEEN)
        if kept is _UNSEEN:
            kept = _kept(self.build, args)
            with self._lock:
                self._by_shape[shape] = kept
        assert kept is None or isinstance(kept, _Kept)
        return _carrying(queryset, kept, args, None)


def _carrying(
    queryset: QS, kept: _Kept | None, args: tuple[Value, ...], moment: datetime | None
) -> QS:
    """`queryset`, to be read with `kept`'s statement when there is one for it."""
    if kept is None or type(queryset.query) is not Query:
        return queryset
    queryset = queryset.all()  # its own query, even if `build` handed out a shared one
    query = queryset.query
    query.__class__ = _KeptStatementQuery
    assert isinstance(query, _KeptStatementQuery)
    query.kept_statement = (kept, args, moment)
    return queryset


class KeptByShape:
    """Querysets kept by a shape their caller names, for statements that depend on more than
    their values (who asks, with which role and scope, for what):

    - `at(moment, shape, build)` is `build(moment)`, compiled once for the shape
      (`core.statements` finds where the moment goes);
    - `of(shape, build, *values)` is `build(*values)`, compiled once for the shape and the
      values' types (as `KeptQuery`, whose function may read nothing but its values).

    `shape` must name everything the statement depends on but the moment or the values. At most
    `kept` shapes are kept (a process meets a few per staff member); past that, they are
    compiled afresh."""

    def __init__(self, kept: int = 2_000) -> None:
        self.kept = kept
        self._by_shape: dict[Hashable, _Kept | None] = {}
        self._lock = threading.Lock()

    def at(self, moment: datetime, shape: Hashable, build: Callable[[datetime], QS]) -> QS:
        queryset = build(moment)
        kept = self._kept((queryset.db, shape), lambda: _kept_at_any_moment(build))
        return _carrying(queryset, kept, (), moment)

    def of(self, shape: Hashable, build: Callable[..., QS], *args: Value) -> QS:
        queryset = build(*args)
        key = (queryset.db, shape, tuple(type(arg) for arg in args))
        kept = self._kept(key, lambda: _kept(build, args))
        return _carrying(queryset, kept, args, None)

    def _kept(self, key: Hashable, keep: Callable[[], _Kept | None]) -> _Kept | None:
        kept = self._by_shape.get(key, _UNSEEN)
        if kept is _UNSEEN:
            kept = keep()
            with self._lock:
                if len(self._by_shape) >= self.kept:
                    self._by_shape.clear()
                self._by_shape[key] = kept
        assert kept is None or isinstance(kept, _Kept)
        return kept
