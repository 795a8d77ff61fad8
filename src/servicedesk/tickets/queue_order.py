"""`QueueOrder`: a ticket's place in the queues' order, kept beside the ticket by the database.

Triggers on `tickets_ticket` give every ticket its row (inserted with the ticket, removed with
it) and copy its state, priority, age, agency, group and assignee whenever they change;
triggers on the SLA clocks write the due time (`sla.resolution_due`). As with the search table
(`tickets.search`), no code path that writes tickets (the services, bulk writes, the benchmark
generator's COPY, a test's flush) can leave the copy behind, and there is nothing else to keep
in step.

On SQLite a migration that remakes `tickets_ticket` drops its triggers with the old table: such
a migration must end with `RunPython(queue_order_install, queue_order_remove)` again (it is
idempotent). The queue tests fail otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TABLE = "tickets_queueorder"
# The ticket's columns the row copies: the queues' order and the access policy's keys.
COPIED = ("state", "priority", "created_at", "agency_id", "assignment_group_id", "assignee_id")
# What the row copied when it was made (migration 0019 installs these; 0020 the rest).
FIRST_COPIED = ("state", "priority", "created_at")


def _copied_from(row: str, copied: tuple[str, ...]) -> str:
    return ", ".join(f"{row}.{column}" for column in copied)


def _assigned_from(row: str, copied: tuple[str, ...]) -> str:
    return ", ".join(f"{column} = {row}.{column}" for column in copied)


def _differ(old: str, new: str, copied: tuple[str, ...], differs: str) -> str:
    """True when any copied column of `old` differs from `new`'s; `differs` is the database's
    null-safe inequality."""
    return " OR ".join(f"{old}.{column} {differs} {new}.{column}" for column in copied)


def _postgresql_install(copied: tuple[str, ...]) -> list[str]:
    columns = ", ".join(copied)
    # No DROP TRIGGER IF EXISTS: the installer removes the triggers first.
    return [
        # Statement-level on insert and delete: a COPY or bulk insert of many tickets is one
        # insert.
        f"CREATE OR REPLACE FUNCTION {TABLE}_added() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN INSERT INTO {TABLE} (ticket_id, {columns}) "
        f"SELECT id, {_copied_from('added', copied)} FROM added "
        "ON CONFLICT (ticket_id) DO NOTHING; RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {TABLE}_edited() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {TABLE} SET {_assigned_from('new', copied)} WHERE ticket_id = new.id; "
        "RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {TABLE}_removed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {TABLE} WHERE ticket_id IN (SELECT id FROM removed); "
        "RETURN NULL; END $$",
        # A DELETE, not a TRUNCATE: a test database's flush truncates both tables in one
        # statement, and a table cannot be truncated again within it.
        f"CREATE OR REPLACE FUNCTION {TABLE}_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$",
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON tickets_ticket "
        f"REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_added()",
        # Most saves leave them all alone (a reply, a note): no function is called.
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {columns} ON tickets_ticket "
        f"FOR EACH ROW WHEN ({_differ('old', 'new', copied, 'IS DISTINCT FROM')}) "
        f"EXECUTE FUNCTION {TABLE}_edited()",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON tickets_ticket "
        f"REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_removed()",
        # A test database's flush empties the tickets by TRUNCATE, which fires no row trigger.
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON tickets_ticket "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_emptied()",
    ]


_POSTGRESQL_REMOVE = [
    *(
        f"DROP TRIGGER IF EXISTS {TABLE}_{event} ON tickets_ticket"
        for event in ("insert", "update", "delete", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS {TABLE}_{verb}()"
        for verb in ("added", "edited", "removed", "emptied")
    ),
]


def _sqlite_install(copied: tuple[str, ...]) -> list[str]:
    columns = ", ".join(copied)
    # No IF NOT EXISTS: the installer removes the triggers first.
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON tickets_ticket BEGIN "
        f"INSERT INTO {TABLE} (ticket_id, {columns}) VALUES (new.id, "
        f"{_copied_from('new', copied)}) ON CONFLICT (ticket_id) DO NOTHING; END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {columns} "
        f"ON tickets_ticket WHEN {_differ('old', 'new', copied, 'IS NOT')} BEGIN "
        f"UPDATE {TABLE} SET {_assigned_from('new', copied)} WHERE ticket_id = new.id; END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON tickets_ticket BEGIN "
        f"DELETE FROM {TABLE} WHERE ticket_id = old.id; END",
    ]


_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("insert", "update", "delete")
]


def _fill(copied: tuple[str, ...], differs: str) -> list[str]:
    """Every ticket's row, for tickets written before the triggers (an upgraded database), and
    the copies brought up to date in rows made before they were copied; their due times are
    filled by the clocks' own triggers (`sla.resolution_due`)."""
    columns = ", ".join(copied)
    return [
        f"INSERT INTO {TABLE} (ticket_id, {columns}) "
        f"SELECT id, {_copied_from('tickets_ticket', copied)} FROM tickets_ticket "
        # "WHERE true": without it SQLite reads ON CONFLICT as a join's condition.
        "WHERE true "
        "ON CONFLICT (ticket_id) DO NOTHING",
        f"UPDATE {TABLE} SET {_assigned_from('ticket', copied)} FROM tickets_ticket AS ticket "
        f"WHERE ticket.id = {TABLE}.ticket_id AND ({_differ(TABLE, 'ticket', copied, differs)})",
    ]


def queue_order_installer(copied: tuple[str, ...]) -> Callable[[Any, Any], None]:
    """For migrations (`RunPython`): the triggers of the database in use copying `copied`, in
    place of any before, and a fill; idempotent."""

    def install(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = [*_postgresql_install(copied), *_fill(copied, "IS DISTINCT FROM")]
        elif vendor == "sqlite":
            statements = [*_sqlite_install(copied), *_fill(copied, "IS NOT")]
        else:
            return
        queue_order_remove(apps, schema_editor)
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return install


# The triggers as the current model needs them.
queue_order_install = queue_order_installer(COPIED)


def queue_order_remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _POSTGRESQL_REMOVE, "sqlite": _SQLITE_REMOVE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)
