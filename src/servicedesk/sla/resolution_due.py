"""`QueueOrder.resolution_due_at`: the running resolution clock's due time, copied beside the
ticket (`tickets.queue_order`).

The queues sort open tickets by it (most urgent first) and the overdue and breaching-soon queues
filter on it. Read through a subquery on the clocks, sorting a queue of 150,000 open tickets cost
one clock look-up per ticket (1.3–2.6 s at a million tickets on PostgreSQL); copied, one partial
index (`queue_open_due`) hands over a queue page in its order.

Database triggers on `sla_ticketclock` keep the copy: every insert, update of state or due time,
and delete of a resolution clock writes it (NULL when the clock is paused, stopped or gone), so
no code path that writes clocks (the services, the batched re-plan, the sweep, bulk writes,
the benchmark generator) can leave it behind, as with the search index (`tickets.search`).
On SQLite a migration that remakes `sla_ticketclock` drops its triggers with the old table:
such a migration must end with `RunPython(resolution_due_install, resolution_due_remove)`.
"""

from __future__ import annotations

from typing import Any

# A statement that copies the due times onto the tickets itself (the batched re-plan) sets this
# for its transaction (`set_config(…, 'on', true)`): the trigger is then not even queued, instead
# of looking each ticket up to find it already right (measured: an eighth of a re-plan's writes).
COPIED_SETTING = "servicedesk.due_copied"

# The value the ticket holds for a clock row `row` (NEW or OLD).
_DUE = "CASE WHEN {row}.state = 'running' THEN {row}.due_at END"


def resolution_due_of(row: str) -> str:
    """SQL for the value a ticket holds for its resolution clock `row` (an alias whose columns
    are named as the clock's): for a statement that writes the copy itself (the batched re-plan,
    which locks the tickets before their clocks; the trigger then finds nothing to change)."""
    return _DUE.format(row=row)


_POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION ticket_resolution_due_sync() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.metric = 'resolution' THEN
                UPDATE tickets_queueorder SET resolution_due_at = NULL
                WHERE ticket_id = OLD.ticket_id AND resolution_due_at IS NOT NULL;
            END IF;
            RETURN NULL;
        END IF;
        IF NEW.metric = 'resolution' THEN
            UPDATE tickets_queueorder SET resolution_due_at = {_DUE.format(row="NEW")}
            WHERE ticket_id = NEW.ticket_id
            AND resolution_due_at IS DISTINCT FROM {_DUE.format(row="NEW")};
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS ticket_resolution_due ON sla_ticketclock",
    "CREATE TRIGGER ticket_resolution_due AFTER INSERT OR DELETE OR UPDATE OF state, due_at "
    f"ON sla_ticketclock FOR EACH ROW WHEN (current_setting('{COPIED_SETTING}', true) "
    "IS DISTINCT FROM 'on') EXECUTE FUNCTION ticket_resolution_due_sync()",
]
_POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS ticket_resolution_due ON sla_ticketclock",
    "DROP FUNCTION IF EXISTS ticket_resolution_due_sync()",
]

_SQLITE_SET = (
    "UPDATE tickets_queueorder SET resolution_due_at = {due} WHERE ticket_id = new.ticket_id; END"
).format(due=_DUE.format(row="new"))
_SQLITE_INSTALL = [
    "CREATE TRIGGER IF NOT EXISTS ticket_resolution_due_insert AFTER INSERT ON sla_ticketclock "
    f"WHEN new.metric = 'resolution' BEGIN {_SQLITE_SET}",
    "CREATE TRIGGER IF NOT EXISTS ticket_resolution_due_update AFTER UPDATE OF state, due_at "
    f"ON sla_ticketclock WHEN new.metric = 'resolution' BEGIN {_SQLITE_SET}",
    "CREATE TRIGGER IF NOT EXISTS ticket_resolution_due_delete AFTER DELETE ON sla_ticketclock "
    "WHEN old.metric = 'resolution' BEGIN "
    "UPDATE tickets_queueorder SET resolution_due_at = NULL WHERE ticket_id = old.ticket_id; END",
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS ticket_resolution_due_{event}"
    for event in ("insert", "update", "delete")
]

# The due times of tickets written before the triggers (an upgraded database).
_FILL = (
    "UPDATE tickets_queueorder SET resolution_due_at = ("
    "SELECT c.due_at FROM sla_ticketclock c WHERE c.ticket_id = tickets_queueorder.ticket_id "
    "AND c.metric = 'resolution' AND c.state = 'running') "
    "WHERE ticket_id IN (SELECT ticket_id FROM sla_ticketclock "
    "WHERE metric = 'resolution' AND state = 'running')"
)


def resolution_due_install(apps: Any, schema_editor: Any) -> None:
    """For migrations (`RunPython`): the triggers of the database in use, replacing those before
    them (which wrote the due time onto the ticket row), and a first fill."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [*_POSTGRESQL_INSTALL, _FILL]
    elif vendor == "sqlite":
        statements = [*_SQLITE_REMOVE, *_SQLITE_INSTALL, _FILL]
    else:
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def resolution_due_remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _POSTGRESQL_REMOVE, "sqlite": _SQLITE_REMOVE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)
