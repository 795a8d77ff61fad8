"""The queue search: which tickets hold every word typed, in their number, texts or comments.

A word matches anywhere inside a field, case-insensitively, as `icontains` would, but through an
index instead of reading every open ticket and its comments (measured at 100,000 tickets: the
scan cost 130–180 ms a page, the index a few ms):

- SQLite: two FTS5 tables with the trigram tokenizer (substring matching), one over the tickets'
  number, short description and description and one over comment bodies. They are
  external-content tables: they hold only the index, read their text from `tickets_ticket` and
  `tickets_comment`, and triggers on those two tables keep them in step with every write,
  services, bulk_create (the benchmark generator) and flushes alike.
- PostgreSQL: pg_trgm GIN indexes on `UPPER(column)`, the expression Django's `icontains` writes,
  so the ordinary lookups use them.

Trigrams need three characters: a shorter word falls back to the plain scan.

Why no separate search-text table: the index follows the rows themselves, so no code path can
leave it behind and there is nothing to backfill beyond the migration. The price on SQLite: a
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
from servicedesk.tickets.models import RequestAnswer, Ticket

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


POSTGRESQL_INDEXES = [
    *(_postgresql_index_sql("tickets_ticket", column) for column in TICKET_COLUMNS),
    _postgresql_index_sql("tickets_comment", "body"),
]


def search_index_install(apps: Any, schema_editor: Any) -> None:
    """For migrations (`RunPython`): create the search index of the database in use; idempotent."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_fts_sql(TICKET_INDEX, "tickets_ticket", TICKET_COLUMNS)
        statements += _sqlite_fts_sql(COMMENT_INDEX, "tickets_comment", ("body",))
    elif vendor == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
        statements += [create for create, _ in POSTGRESQL_INDEXES]
    else:
        return  # another database searches by scanning, as before the index
    for statement in statements:
        schema_editor.execute(statement, params=None)


def search_index_remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_drop_sql(TICKET_INDEX) + _sqlite_drop_sql(COMMENT_INDEX)
    elif vendor == "postgresql":
        statements = [drop for _, drop in POSTGRESQL_INDEXES]  # pg_trgm may serve others
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


def in_ticket_fields(text: str) -> Q:
    """Tickets whose number, short description or description contains `text` (spaces and all),
    in any case."""
    if _indexed(text) and connection.vendor == "sqlite":
        return Q(pk__in=_fts_match(TICKET_INDEX, text))
    fields = Q()
    for column in TICKET_COLUMNS:
        fields |= Q(**{f"{column}__icontains": text})
    return fields


def _in_answers(word: str) -> Q:
    """Tickets with an answer to their request type's form holding `word` (answers are as
    visible as the ticket itself). A scan of the answers only: far fewer rows than tickets."""
    return Q(pk__in=RequestAnswer.objects.filter(text__icontains=word).values("ticket_id"))


def _word_condition(viewer: Person, word: str, among: QuerySet[Ticket]) -> Q:
    """Tickets holding `word` in a field, an answer, or a comment the viewer may read; `among`
    is the queue being searched."""
    comments = visible_comments(viewer)
    if not _indexed(word):
        in_comments = comments.filter(ticket_id=OuterRef("pk"), body__icontains=word)
        return in_ticket_fields(word) | Q(Exists(in_comments)) | _in_answers(word)
    # Two index look-ups whose ticket ids are then matched: an OR with an EXISTS over comments
    # (the plain scan's shape) makes both databases read every open ticket instead.
    if connection.vendor == "sqlite":
        in_fields = Q(pk__in=_fts_match(TICKET_INDEX, word))
        in_comments = comments.filter(pk__in=_fts_match(COMMENT_INDEX, word))
    else:
        # Within the queue's own conditions: the trigram match is intersected with them before
        # any ticket row is read (a common word matched 63,000 of a million tickets, of which
        # a queue of open tickets holds a sixth: its page 220 → 40 ms, see bench/README.md).
        in_fields = Q(pk__in=among.filter(in_ticket_fields(word)).values("pk"))
        in_comments = comments.filter(body__icontains=word)
    return in_fields | Q(pk__in=in_comments.values("ticket_id")) | _in_answers(word)


def tickets_matching(viewer: Person, tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """`tickets` narrowed to those holding every word of `text` (up to six): in the number, the
    short description, the description, an answer to the request form, or a comment the viewer
    may read."""
    for word in text.split()[:MAX_WORDS]:
        tickets = tickets.filter(_word_condition(viewer, word, tickets))
    return tickets
