"""The queue search: which tickets hold every word typed, in their number, texts or comments.

A word matches anywhere inside a field, case-insensitively, as `icontains` would, but through an
index instead of reading every open ticket and its comments (measured at 100,000 tickets: the
scan cost 130–180 ms a page, the index a few ms):

- SQLite: two FTS5 tables with the trigram tokenizer (substring matching), one over the tickets'
  number, short description and description and one over comment bodies. They are
  external-content tables: they hold only the index, read their text from `tickets_ticket` and
  `tickets_comment`, and triggers on those two tables keep them in step with every write,
  services, bulk_create (the benchmark generator) and flushes alike.
- PostgreSQL: a pg_trgm GIN index over a search table beside the tickets,
  `tickets_ticket_search`, one row a ticket holding its number, short description and
  description upper-cased in one text (the case `icontains` ignores), the fields apart by a
  control character no one types, so a phrase never spans two fields; triggers on
  `tickets_ticket` keep it in step as on SQLite. The comments carry their own trigram index on
  `UPPER(body)`, the expression Django's `icontains` writes.
  Why the tickets' texts are not indexed on the ticket row itself: any change to an indexed
  column (an SLA due time, a state) writes a new row version into every index of the table, and
  a trigram index takes far longer than the others (re-planning a million tickets' due times
  spent most of its time merging them). A ticket's texts rarely change; its due time does.

Trigrams need three characters: a shorter word falls back to the plain scan.

The index follows the rows through triggers, so no code path can leave it behind and there is
nothing to backfill beyond the migration. The price on SQLite: a
migration that remakes `tickets_ticket` or `tickets_comment` (Django does so for most field
changes there) drops the triggers with the old table; such a migration must end with
`RunPython(search_index_install, search_index_remove)` again. The search tests fail otherwise.

Who may read which comments stays in `tickets.access`: comment matches come from
`visible_comments`, so a requester's search never matches an internal note.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from servicedesk.directory.models import Person
from servicedesk.tickets.access import visible_comments
from servicedesk.tickets.models import OPEN_STATE_VALUES, RequestAnswer, Ticket

# More words than this are ignored: each adds a condition to the query.
MAX_WORDS = 6
SHORTEST_INDEXED_WORD = 3

TICKET_INDEX = "tickets_ticket_search"
COMMENT_INDEX = "tickets_comment_search"
TICKET_COLUMNS = ("number", "short_description", "description")


def _sqlite_fts_sql(index: str, table: str, columns: tuple[str, ...]) -> list[str]:
    """An external-content FTS5 table over `table`'s columns, its triggers, and a first fill."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({names}, "
        f"content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
        # Most saves leave the texts alone (state, assignment, version): skip the re-index.
        f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF {names} ON {table} "
        f"WHEN {changed} BEGIN "
        f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new}); END",
        # Rows written before the triggers existed (an upgraded database) are indexed here.
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def _sqlite_drop_sql(index: str) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {index}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {index}",
    ]


def _postgresql_index_sql(table: str, column: str) -> tuple[str, str]:
    name = f"{table}_{column}_trgm"
    create = (
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
    )
    return create, f"DROP INDEX IF EXISTS {name}"


# The tickets' search text: its fields apart by the unit separator (no one types it), upper-cased.
_DOCUMENT = " || chr(31) || ".join(f"coalesce({{row}}.{column}, '')" for column in TICKET_COLUMNS)


def _document(row: str) -> str:
    return f"upper({_DOCUMENT.format(row=row)})"


def _is_open(row: str) -> str:
    states = ", ".join(f"'{state}'" for state in OPEN_STATE_VALUES)
    return f"{row}.state IN ({states})"


def _postgresql_ticket_search_sql() -> list[str]:
    """The tickets' search table, its triggers, a first fill and its trigram indexes (one over
    every ticket, one over the open ones, which all queues but To verify search); idempotent.
    The triggers come before the fill, so a ticket filed meanwhile is caught by one or the other.
    A change of the open states (tickets.workflow) needs a migration installing this again."""
    table, index = "tickets_ticket", TICKET_INDEX
    texts = ", ".join(TICKET_COLUMNS)
    changed = " OR ".join(
        f"old.{column} IS DISTINCT FROM new.{column}" for column in TICKET_COLUMNS
    )
    changed += f" OR ({_is_open('old')}) IS DISTINCT FROM ({_is_open('new')})"
    return [
        f"CREATE TABLE IF NOT EXISTS {index} (ticket_id bigint PRIMARY KEY, "
        "document text NOT NULL, open boolean NOT NULL)",
        # Statement-level on insert: a COPY or bulk insert of many tickets is indexed in one go.
        f"CREATE OR REPLACE FUNCTION {index}_added() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN INSERT INTO {index} (ticket_id, document, open) "
        f"SELECT id, {_document('added')}, {_is_open('added')} FROM added "
        "ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document, open = excluded.open; "
        "RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {index}_edited() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {index} SET document = {_document('new')}, open = {_is_open('new')} "
        "WHERE ticket_id = new.id; RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {index}_removed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {index} WHERE ticket_id IN (SELECT id FROM removed); "
        "RETURN NULL; END $$",
        f"CREATE OR REPLACE FUNCTION {index}_emptied() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN TRUNCATE {index}; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {index}_insert ON {table}",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS added "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {index}_added()",
        # Most saves leave the texts alone and the ticket as open as it was (an assignment, a
        # due time): no function is called.
        f"DROP TRIGGER IF EXISTS {index}_update ON {table}",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {texts}, state ON {table} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {index}_edited()",
        f"DROP TRIGGER IF EXISTS {index}_delete ON {table}",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS removed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {index}_removed()",
        # A test database's flush empties the tickets by TRUNCATE, which fires no row trigger.
        f"DROP TRIGGER IF EXISTS {index}_truncate ON {table}",
        f"CREATE TRIGGER {index}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {index}_emptied()",
        f"INSERT INTO {index} (ticket_id, document, open) "
        f"SELECT id, {_document(table)}, {_is_open(table)} FROM {table} "
        "ON CONFLICT (ticket_id) DO NOTHING",
        f"CREATE INDEX IF NOT EXISTS {index}_trgm ON {index} USING gin (document gin_trgm_ops)",
        f"CREATE INDEX IF NOT EXISTS {index}_open_trgm ON {index} "
        "USING gin (document gin_trgm_ops) WHERE open",
    ]


def search_table_remove(apps: Any, schema_editor: Any) -> None:
    """PostgreSQL: drop the tickets' search table and its triggers."""
    index = TICKET_INDEX
    for statement in [
        *(
            f"DROP TRIGGER IF EXISTS {index}_{event} ON tickets_ticket"
            for event in ("insert", "update", "delete", "truncate")
        ),
        f"DROP TABLE IF EXISTS {index}",
        *(
            f"DROP FUNCTION IF EXISTS {index}_{verb}()"
            for verb in ("added", "edited", "removed", "emptied")
        ),
    ]:
        schema_editor.execute(statement, params=None)


COMMENT_TRIGRAM_INDEX = _postgresql_index_sql("tickets_comment", "body")
# Where the tickets' texts were indexed before the search table: on the ticket row itself.
FORMER_TICKET_INDEXES = [_postgresql_index_sql("tickets_ticket", c) for c in TICKET_COLUMNS]


def search_index_install(apps: Any, schema_editor: Any) -> None:
    """For migrations (`RunPython`): create the search index of the database in use; idempotent."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_fts_sql(TICKET_INDEX, "tickets_ticket", TICKET_COLUMNS)
        statements += _sqlite_fts_sql(COMMENT_INDEX, "tickets_comment", ("body",))
    elif vendor == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
        statements += _postgresql_ticket_search_sql()
        statements += [COMMENT_TRIGRAM_INDEX[0], *(drop for _, drop in FORMER_TICKET_INDEXES)]
    else:
        return  # another database searches by scanning, as before the index
    for statement in statements:
        schema_editor.execute(statement, params=None)


def search_index_remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_drop_sql(TICKET_INDEX) + _sqlite_drop_sql(COMMENT_INDEX)
    elif vendor == "postgresql":
        search_table_remove(apps, schema_editor)
        statements = [COMMENT_TRIGRAM_INDEX[1]]  # pg_trgm may serve others
    else:
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _fts_phrase(word: str) -> str:
    """An FTS5 phrase matching `word` literally: quotes doubled, nothing else is syntax."""
    return '"' + word.replace('"', '""') + '"'


def _indexed(text: str) -> bool:
    return len(text) >= SHORTEST_INDEXED_WORD and connection.vendor in {"sqlite", "postgresql"}


def _fts_match(index: str, text: str) -> RawSQL:
    """Row ids of `index` (= ticket or comment ids) whose text contains `text`."""
    return RawSQL(f"SELECT rowid FROM {index} WHERE {index} MATCH %s", [_fts_phrase(text)])


def _trigram_match(text: str, *, open_only: bool) -> RawSQL:
    """Ticket ids whose search text contains `text` in any case (PostgreSQL); only open tickets'
    with `open_only`, from their own smaller index (a common word matches tens of thousands of
    tickets, a sixth of them open)."""
    escaped = connection.ops.prep_for_like_query(text)
    among = " AND open" if open_only else ""
    return RawSQL(
        f"SELECT ticket_id FROM {TICKET_INDEX} WHERE document LIKE upper(%s){among}",
        [f"%{escaped}%"],
    )


def in_ticket_fields(text: str, *, open_only: bool = False, key: str = "pk") -> Q:
    """Tickets whose number, short description or description contains `text` (spaces and all),
    in any case. `open_only`: the caller wants open tickets only (an index may know them);
    `key`: as for `tickets_matching`."""
    if _indexed(text) and connection.vendor == "sqlite":
        return Q(**{f"{key}__in": _fts_match(TICKET_INDEX, text)})
    if _indexed(text) and connection.vendor == "postgresql":
        return Q(**{f"{key}__in": _trigram_match(text, open_only=open_only)})
    fields = Q()
    for column in TICKET_COLUMNS:
        fields |= Q(**{f"{column}__icontains": text})
    return fields


def _in_answers(word: str, key: str) -> Q:
    """Tickets with an answer to their request type's form holding `word` (answers are as
    visible as the ticket itself). A scan of the answers only: far fewer rows than tickets."""
    answers = RequestAnswer.objects.filter(text__icontains=word).values("ticket_id")
    return Q(**{f"{key}__in": answers})


def _word_condition(viewer: Person, word: str, *, open_only: bool, key: str) -> Q:
    """Tickets holding `word` in a field, an answer, or a comment the viewer may read."""
    comments = visible_comments(viewer)
    if not _indexed(word):
        in_comments = comments.filter(ticket_id=OuterRef("pk"), body__icontains=word)
        return in_ticket_fields(word) | Q(Exists(in_comments)) | _in_answers(word, key)
    # Index look-ups whose ticket ids are then matched: an OR with an EXISTS over comments
    # (the plain scan's shape) makes both databases read every open ticket instead.
    if connection.vendor == "sqlite":
        in_comments = comments.filter(pk__in=_fts_match(COMMENT_INDEX, word))
    else:
        in_comments = comments.filter(body__icontains=word)
    in_fields = in_ticket_fields(word, open_only=open_only, key=key)
    in_comment = Q(**{f"{key}__in": in_comments.values("ticket_id")})
    return in_fields | in_comment | _in_answers(word, key)


def tickets_matching(
    viewer: Person,
    tickets: QuerySet[Ticket],
    text: str,
    *,
    open_only: bool = False,
    key: str = "pk",
) -> QuerySet[Ticket]:
    """`tickets` narrowed to those holding every word of `text` (up to six): in the number, the
    short description, the description, an answer to the request form, or a comment the viewer
    may read. `open_only`: `tickets` holds open tickets only. `key`: the path to the ticket's id
    the matches are looked up by: the queue order's own ("queue_order__ticket_id") when the
    query walks its index, so that PostgreSQL gathers the matches once for the walk instead of
    pricing them as gathered again for each ticket met (the desk's search of a million
    tickets: 364 ms, against 31 ms walked)."""
    for word in text.split()[:MAX_WORDS]:
        tickets = tickets.filter(_word_condition(viewer, word, open_only=open_only, key=key))
    return tickets
