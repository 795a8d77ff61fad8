"""On PostgreSQL a kept statement is prepared, so that it is planned once; every other
statement is bound on the client and never prepared; a kept statement PostgreSQL cannot take
bound on the server is read as before, inside the same transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from servicedesk.conftest import Org
from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Comment
from servicedesk.tickets.queues import Queue, queue_counts
from servicedesk.tickets.services import comment_add, ticket_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgres")]


# Each test reads a statement of its own, so that none is prepared by another test first.
def _bodies(ticket_id: int) -> QuerySet[Comment, str]:
    return Comment.objects.filter(ticket_id=ticket_id).order_by("id").values_list("body", flat=True)


def _bodies_unprepared(ticket_id: int) -> QuerySet[Comment, str]:
    return (
        Comment.objects.filter(ticket_id=ticket_id).order_by("-id").values_list("body", flat=True)
    )


def _named_if_said(person_id: int, word: str) -> QuerySet[Person, str]:
    # `$2 IS NOT NULL`: PostgreSQL cannot tell the type of a word asked only that.
    said = RawSQL("%s IS NOT NULL", (word,), output_field=BooleanField())
    return Person.objects.filter(said, pk=person_id).values_list("username", flat=True)


BODIES = KeptQuery(_bodies)
BODIES_UNPREPARED = KeptQuery(_bodies_unprepared)
NAMED_IF_SAID = KeptQuery(_named_if_said)


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.fixture
def ticket_id(org: Org) -> Iterator[int]:
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Badge reader down"
    )
    comment_add(ticket, actor=org.desk, body="On my way", internal=False)
    comment_add(ticket, actor=org.employee, body="Thanks", internal=False)
    yield ticket.pk


def test_a_kept_statement_is_prepared_at_its_second_read_and_no_other_ever(ticket_id: int) -> None:
    with CaptureQueriesContext(connection) as first:
        assert list(BODIES(ticket_id)) == ["On my way", "Thanks"]
    assert not [s for s in prepared() if "tickets_comment" in s]
    for _ in range(3):
        assert list(BODIES(ticket_id)) == ["On my way", "Thanks"]
    for _ in range(8):  # given any `prepare_threshold`, psycopg would prepare this one
        Comment.objects.filter(ticket_id=ticket_id).exists()
    comments = [s for s in prepared() if "tickets_comment" in s]
    assert len(comments) == 1
    assert f"= {ticket_id}" not in comments[0] and "$1" in comments[0]
    # The first read's trial savepoint is not among the statements the page asked.
    assert len(first.captured_queries) == 1
    assert f'"ticket_id" = {ticket_id}' in first.captured_queries[0]["sql"]


def test_with_prepared_statements_off_nothing_is_prepared(
    ticket_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SERVICEDESK_DB_PREPARED_STATEMENTS=off`, behind PgBouncer before 1.21."""
    options = {**connection.settings_dict["OPTIONS"]}
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    for _ in range(4):
        assert list(BODIES_UNPREPARED(ticket_id)) == ["Thanks", "On my way"]
    assert not [s for s in prepared() if "tickets_comment" in s]


def test_a_statement_postgresql_cannot_take_bound_on_the_server_is_read_bound_on_the_client(
    org: Org,
) -> None:
    for _ in range(3):
        assert list(NAMED_IF_SAID(org.desk.pk, "yes")) == ["desk"]
    # The transaction the refused try ran in goes on.
    assert Person.objects.filter(pk=org.desk.pk).exists()
    assert not [s for s in prepared() if "IS NOT NULL" in s]


def test_the_workspace_counts_are_prepared_with_all_but_the_moment_written_in(org: Org) -> None:
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="No dial tone")
    counts = [queue_counts(org.desk) for _ in range(3)]
    assert counts[0] == counts[2] and counts[0][Queue.NEW] == 1
    (statement,) = [s for s in prepared() if s.startswith("SELECT (SELECT COUNT(*)")]
    assert "'new'" in statement  # the queue's state, so that its plan is kept
    assert "$1" in statement  # the moment (the overdue queue's)
