"""Statements compiled once for their shape, then run at any moment.

Django builds and compiles a queryset's SQL anew on every request: for a statement of many
parts asked on every page (the workspace's counts of seven queues, each through the access
policy), that is most of its cost in CPU (6-9 ms a request, against 3-6 ms for PostgreSQL to
answer it). Where the SQL depends only on a few known things (who asks, their scope, which
parts), it is compiled once for them, and only the moment it is asked at changes.

The moment's place among the parameters is found, not assumed: the statement is compiled at two
instants a day apart, and the parameters that moved are instants, each at a fixed offset from
the moment (now, now + four hours, ...). SQLite's parameters are instants written as text
(Django's `adapt_datetimefield_value`), and are written the same way again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from servicedesk.core.server_binding import ServerBinding, binds_on_server, written_literal

# Two instants to compile at: any two do, far from every real one so that no other parameter
# could equal them by chance.
FIRST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
SECOND_MOMENT = FIRST_MOMENT + timedelta(days=1)

Compile = Callable[[datetime], tuple[str, Sequence[Any]]]
# A shape not met yet (None is kept for one whose SQL moves with the moment).
_UNSEEN = object()


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple[Any, ...]
    # Position of each instant among the parameters: its offset from the moment, and whether
    # it is written as text.
    instants: dict[int, tuple[timedelta, bool]]

    def at(self, moment: datetime) -> tuple[str, list[Any]]:
        return self.sql, self.params_at(moment, self.params)

    def params_at(self, moment: datetime, params: Sequence[Any]) -> list[Any]:
        """`params` with the instants at `moment`'s offsets."""
        moved = list(params)
        for position, (offset, as_text) in self.instants.items():
            instant = moment + offset
            moved[position] = (
                connection.ops.adapt_datetimefield_value(instant) if as_text else instant
            )
        return moved

    def with_constants_written(self, write: Callable[[Any], str]) -> Compiled:
        """The same statement with every parameter but the moment's written into its SQL by
        `write` (a literal). Bound on the server, PostgreSQL then plans it once knowing all
        but the moment (`core/server_binding.py`); with them as parameters too, it found the
        plan it could keep for any value dearer than planning each time (a queue's states, its
        viewer's groups), and planned each time."""
        parts: list[str] = []
        params: list[Any] = []
        instants: dict[int, tuple[timedelta, bool]] = {}
        position, written_up_to = 0, 0
        for placeholder in _PLACEHOLDER.finditer(self.sql):
            if placeholder.group() == "%%":
                continue
            parts.append(self.sql[written_up_to : placeholder.start()])
            if position in self.instants:
                instants[len(params)] = self.instants[position]
                params.append(self.params[position])
                parts.append("%s")
            else:
                parts.append(write(self.params[position]).replace("%", "%%"))
            position += 1
            written_up_to = placeholder.end()
        parts.append(self.sql[written_up_to:])
        if position != len(self.params):
            raise ValueError("the statement's placeholders and parameters differ in number")
        return Compiled("".join(parts), tuple(params), instants)


# A parameter's place in Django's SQL, and a written percent sign, which is no place.
_PLACEHOLDER = re.compile("%%|%s")


def _instant(value: Any) -> tuple[datetime, bool] | None:
    """The instant a parameter holds, in UTC, and whether as text; None for anything else."""
    if isinstance(value, datetime):
        return value.astimezone(UTC), False
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed), True
    return None


def compiled_at_any_moment(compile_at: Compile) -> Compiled | None:
    """What `compile_at` gives, with where the moment goes among its parameters; None for a
    statement whose shape moves with the moment, or whose parameters move otherwise."""
    sql, params = compile_at(FIRST_MOMENT)
    other_sql, other_params = compile_at(SECOND_MOMENT)
    if sql != other_sql or len(params) != len(other_params):
        return None  # its shape moves with the moment: compiled each time
    instants: dict[int, tuple[timedelta, bool]] = {}
    for position, (first, second) in enumerate(zip(params, other_params, strict=True)):
        if first == second:
            continue
        at_first, at_second = _instant(first), _instant(second)
        moved = SECOND_MOMENT - FIRST_MOMENT
        if at_first is None or at_second is None or at_second[0] - at_first[0] != moved:
            return None
        instants[position] = (at_first[0] - FIRST_MOMENT, at_first[1])
    return Compiled(sql, tuple(params), instants)


class _Kept:
    """A shape's statement, and how it is read on PostgreSQL: with its constants written into
    it, bound on the server (`core/server_binding.py`)."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        self.binding = ServerBinding()
        self._written: Compiled | None = None

    def written(self) -> Compiled:
        if self._written is None:
            self._written = self.compiled.with_constants_written(
                lambda value: written_literal(connection, value)
            )
        return self._written


class CompiledStatements:
    """Statements kept by shape: `at(moment, shape, compile_at)` gives what `compile_at(moment)`
    would, compiling only for a shape not met before; `fetchone` reads its one row. `shape`
    must name everything the SQL depends on but the moment. At most `kept` shapes are kept (a
    process meets one per staff member and scope); past that, they are compiled afresh."""

    def __init__(self, kept: int = 2_000) -> None:
        self.kept = kept
        self._by_shape: dict[Hashable, _Kept | None] = {}
        self._lock = threading.Lock()

    def at(self, moment: datetime, shape: Hashable, compile_at: Compile) -> tuple[str, list[Any]]:
        kept = self._kept(shape, compile_at)
        if kept is None:
            sql, params = compile_at(moment)
            return sql, list(params)
        return kept.compiled.at(moment)

    def fetchone(self, moment: datetime, shape: Hashable, compile_at: Compile) -> tuple[Any, ...]:
        """The one row the statement of `at` reads; on PostgreSQL bound on the server, so that
        it is planned once."""
        kept = self._kept(shape, compile_at)
        on_server = kept is not None and binds_on_server(connection)
        if kept is None:
            sql, params = compile_at(moment)
        else:
            sql, params = (kept.written() if on_server else kept.compiled).at(moment)

        def read() -> tuple[Any, ...]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return tuple(cursor.fetchone())

        return kept.binding.read(connection, read) if kept is not None and on_server else read()

    def _kept(self, shape: Hashable, compile_at: Compile) -> _Kept | None:
        kept = self._by_shape.get(shape, _UNSEEN)
        if kept is _UNSEEN:
            compiled = compiled_at_any_moment(compile_at)
            kept = None if compiled is None else _Kept(compiled)
            with self._lock:
                if len(self._by_shape) >= self.kept:
                    self._by_shape.clear()
                self._by_shape[shape] = kept
        assert kept is None or isinstance(kept, _Kept)
        return kept

    def forget(self) -> None:
        with self._lock:
            self._by_shape.clear()
