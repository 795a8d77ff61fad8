"""A statement compiled once for its shape gives, at any moment, what compiling it then gives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from servicedesk.core.server_binding import written_literal
from servicedesk.core.statements import FIRST_MOMENT, CompiledStatements, compiled_at_any_moment

MOMENT = datetime(2026, 12, 4, 11, 30, tzinfo=UTC)


class Counted:
    """A compiler of a due-time count that says how often it was asked."""

    def __init__(self, sql: str = "SELECT %s, %s, %s, %s") -> None:
        self.sql = sql
        self.calls = 0

    def __call__(self, now: datetime) -> tuple[str, Sequence[Any]]:
        self.calls += 1
        return self.sql, ["open", now, now + timedelta(hours=4), 7]


def test_a_shape_is_compiled_once_and_its_instants_follow_the_moment() -> None:
    statements = CompiledStatements()
    compile_at = Counted()
    first = statements.at(MOMENT, ("agent", 7), compile_at)
    assert first == compile_at(MOMENT)
    calls = compile_at.calls
    later = MOMENT + timedelta(minutes=5)
    assert statements.at(later, ("agent", 7), compile_at) == compile_at(later)
    assert compile_at.calls == calls + 1  # only the comparison's own call above


def test_each_shape_has_its_own_statement() -> None:
    statements = CompiledStatements()
    desk, scoped = Counted("SELECT %s, %s, %s, %s -- desk"), Counted()
    assert statements.at(MOMENT, "desk", desk)[0].endswith("-- desk")
    assert not statements.at(MOMENT, "scoped", scoped)[0].endswith("-- desk")


def test_a_statement_whose_shape_moves_with_the_moment_is_compiled_each_time() -> None:
    statements = CompiledStatements()

    def by_weekday(now: datetime) -> tuple[str, Sequence[Any]]:
        return f"SELECT {now.weekday()}", []

    assert statements.at(MOMENT, "weekday", by_weekday) == ("SELECT 4", [])
    assert statements.at(MOMENT + timedelta(days=1), "weekday", by_weekday) == ("SELECT 5", [])


def test_a_parameter_that_moves_otherwise_than_the_moment_is_not_taken_for_an_instant() -> None:
    statements = CompiledStatements()

    def twice_the_day(now: datetime) -> tuple[str, Sequence[Any]]:
        return "SELECT %s", [now.day * 2]

    assert statements.at(MOMENT, "day", twice_the_day) == ("SELECT %s", [8])
    assert statements.at(MOMENT + timedelta(days=1), "day", twice_the_day) == ("SELECT %s", [10])


def test_past_the_limit_the_shapes_are_compiled_afresh() -> None:
    statements = CompiledStatements(kept=2)
    compilers = [Counted() for _ in range(3)]
    for shape, compile_at in enumerate(compilers):
        statements.at(MOMENT, shape, compile_at)
    statements.at(MOMENT, 0, compilers[0])
    assert compilers[0].calls == 4  # compiled at two instants, twice


def test_instants_written_as_text_are_written_again_as_the_database_writes_them() -> None:
    """SQLite's parameters hold instants as text: they move with the moment all the same."""
    statements = CompiledStatements()
    compile_at = Counted()

    def as_text(now: datetime) -> tuple[str, Sequence[Any]]:
        sql, params = compile_at(now)
        return sql, [
            connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p
            for p in params
        ]

    statements.at(MOMENT, "text", as_text)
    later = MOMENT + timedelta(minutes=5)
    calls = compile_at.calls
    assert statements.at(later, "text", as_text) == as_text(later)
    assert compile_at.calls == calls + 1


def test_written_constants_leave_only_the_moment_a_parameter() -> None:
    """As a queue's page is prepared on PostgreSQL (`Compiled.with_constants_written`)."""
    compile_at = Counted("SELECT %s, %s, %s, %s WHERE name LIKE '10%%'")
    compiled = compiled_at_any_moment(compile_at)
    assert compiled is not None
    written = compiled.with_constants_written(lambda value: f"<{value}%>")
    assert written.sql == "SELECT <open%%>, %s, %s, <7%%> WHERE name LIKE '10%%'"
    later = MOMENT + timedelta(minutes=5)
    assert written.at(later) == (written.sql, [later, later + timedelta(hours=4)])


def test_a_kept_queue_statement_written_for_postgresql_reads_what_django_reads(
    db: None, on_postgres: None
) -> None:
    def compile_at(now: datetime) -> tuple[str, Sequence[Any]]:
        return (
            "SELECT %s::text || '%%', %s::timestamptz > %s::timestamptz, %s",
            ["50% 'off'", now + timedelta(hours=1), now, 7],
        )

    compiled = compiled_at_any_moment(compile_at)
    assert compiled is not None
    written = compiled.with_constants_written(lambda value: written_literal(connection, value))
    assert written.params == (FIRST_MOMENT + timedelta(hours=1), FIRST_MOMENT)
    with connection.cursor() as cursor:
        cursor.execute(*written.at(MOMENT))
        assert cursor.fetchone() == ("50% 'off'%", True, 7)
