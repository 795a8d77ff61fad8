"""A query kept for its shape reads what Django reads, compiled once; what cannot be kept is
read as Django would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from servicedesk.conftest import Org
from servicedesk.core.kept_queries import KeptByShape, KeptQuery
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Attachment, Comment, RequestAnswer, Ticket
from servicedesk.tickets.services import comment_add, ticket_create

pytestmark = pytest.mark.django_db


@contextmanager
def compilations() -> Iterator[list[str]]:
    """The SQL Django compiles meanwhile, one entry per statement."""
    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def counted(self: SQLCompiler, *args: object, **kwargs: object) -> tuple[str, object]:
        sql, params = original(self, *args, **kwargs)  # type: ignore[arg-type]
        compiled.append(sql)
        return sql, params

    SQLCompiler.as_sql = counted  # type: ignore[assignment,method-assign]
    try:
        yield compiled
    finally:
        SQLCompiler.as_sql = original  # type: ignore[method-assign]


def comments_of(ticket_id: int, author_id: int) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(ticket_id=ticket_id, author_id=author_id)
        .select_related("author", "ticket__requester")
        .annotate(files=Count("attachments"))
        .order_by("created_at", "id")
    )


def numbered(number: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(number=number).prefetch_related(
        Prefetch("comments", queryset=Comment.objects.order_by("id"))
    )


def first_ones(count: int) -> QuerySet[Ticket]:
    return Ticket.objects.order_by("id")[:count]


def shouted(number: str) -> QuerySet[Ticket]:
    return Ticket.objects.filter(number=number.upper())


def two_tickets(org: Org) -> tuple[Ticket, Ticket]:
    tickets = [
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=text)
        for text in ("VPN drops", "Printer jams")
    ]
    for ticket in tickets:
        comment_add(ticket, actor=org.desk, body=f"Looking at {ticket.number}", internal=True)
        comment_add(ticket, actor=org.employee, body="Thanks", internal=False)
        comment_add(ticket, actor=org.desk, body="Fixed", internal=False)
    return tickets[0], tickets[1]


def described(comments: list[Comment]) -> list[tuple[object, ...]]:
    return [
        (c.pk, c.body, c.author.username, c.ticket.requester.username, c.files)  # type: ignore[attr-defined]
        for c in comments
    ]


def test_a_kept_read_gives_what_django_reads_for_any_values_compiled_once(org: Org) -> None:
    first, second = two_tickets(org)
    kept = KeptQuery(comments_of)
    list(kept(first.pk, org.desk.pk))  # compiles its shape
    with compilations() as compiled:
        for ticket in (first, second, first):
            for author in (org.desk, org.employee):
                with CaptureQueriesContext(connection) as read:
                    got = list(kept(ticket.pk, author.pk))
                assert len(read.captured_queries) == 1
                assert described(got) == described(list(comments_of(ticket.pk, author.pk)))
                assert got, "each ticket has comments by both"
    assert len(compiled) == 6, "only Django's own reads, for the comparison, compiled anything"


def test_a_kept_read_is_fetched_related_as_django_does(org: Org) -> None:
    first, second = two_tickets(org)
    kept = KeptQuery(numbered)
    for ticket in (first, second):
        (found,) = kept(ticket.number)
        assert [c.body for c in found.comments.all()] == [
            f"Looking at {ticket.number}",
            "Thanks",
            "Fixed",
        ]
    assert list(kept("INC9999999")) == []


def test_sql_that_changes_with_a_value_is_compiled_each_time(org: Org) -> None:
    first, second = two_tickets(org)
    kept = KeptQuery(first_ones)
    assert list(kept(2)) == [first, second]
    assert list(kept(1)) == [first]
    with compilations() as compiled:
        list(kept(2))
    assert len(compiled) >= 1


def test_a_reworked_value_is_not_taken_for_the_value_itself(org: Org) -> None:
    """The function upper-cases its word: keeping the word as given would find nothing."""
    first, _second = two_tickets(org)
    kept = KeptQuery(shouted)
    assert list(kept(first.number.lower())) == [first]
    assert list(kept(first.number.lower())) == [first]


def test_a_queryset_derived_from_a_kept_one_is_compiled_as_django_would(org: Org) -> None:
    first, _second = two_tickets(org)
    kept = KeptQuery(comments_of)
    list(kept(first.pk, org.desk.pk))
    narrowed = kept(first.pk, org.desk.pk).filter(is_internal=False)
    assert [c.body for c in narrowed] == ["Fixed"]
    assert kept(first.pk, org.desk.pk).count() == 2
    assert kept(first.pk, org.desk.pk).first() == Comment.objects.get(
        ticket=first, body__startswith="Looking"
    )


def test_a_function_that_reads_more_than_its_arguments_is_refused() -> None:
    hidden = 7

    def reads_around(ticket_id: int) -> QuerySet[Attachment]:
        return Attachment.objects.filter(ticket_id=ticket_id, pk=hidden)

    with pytest.raises(ValueError, match="nothing but its arguments"):
        KeptQuery(reads_around)


def test_only_numbers_and_words_are_taken() -> None:
    kept = KeptQuery(first_ones)
    with pytest.raises(TypeError):
        kept(True)


def authors_of(ticket_id: int) -> QuerySet[Comment, tuple[str, bool]]:
    return (
        Comment.objects.filter(ticket_id=ticket_id)
        .order_by("id")
        .values_list("author__username", "is_internal")
    )


def test_rows_of_values_are_read_with_the_kept_statement_too(org: Org) -> None:
    first, second = two_tickets(org)
    kept = KeptQuery(authors_of)
    list(kept(first.pk))
    with compilations() as compiled:
        for ticket in (first, second):
            assert list(kept(ticket.pk)) == [("desk", True), ("employee", False), ("desk", False)]
    assert compiled == []


def answers_at(position: int) -> QuerySet[RequestAnswer]:
    return RequestAnswer.objects.filter(position=position)


def test_a_column_of_small_numbers_is_kept_too() -> None:
    """Django finds a lookup beyond a column's range empty while compiling: the stand-ins fit."""
    kept = KeptQuery(answers_at)
    assert list(kept(3)) == []
    with compilations() as compiled:
        assert list(kept(4)) == []
    assert compiled == []


def test_a_statement_kept_by_shape_reads_at_each_moment_what_django_reads(org: Org) -> None:
    first, second = two_tickets(org)
    Ticket.objects.filter(pk=second.pk).update(created_at=first.created_at + timedelta(hours=1))
    kept = KeptByShape()

    def filed_before(moment: datetime) -> QuerySet[Ticket]:
        return Ticket.objects.filter(created_at__lt=moment).order_by("created_at")

    moments = [first.created_at + timedelta(minutes=minutes) for minutes in (-1, 1, 61)]
    kept.at(moments[0], "filed before", filed_before)
    with compilations() as compiled:
        found = [list(kept.at(moment, "filed before", filed_before)) for moment in moments]
    assert found == [[], [first], [first, second]]
    assert compiled == []


def test_a_statement_whose_shape_moves_with_the_moment_is_compiled_each_time(org: Org) -> None:
    first, second = two_tickets(org)
    kept = KeptByShape()

    def as_many_as_the_hour(moment: datetime) -> QuerySet[Ticket]:
        return Ticket.objects.order_by("id")[: moment.hour]

    one_o_clock = datetime(2026, 12, 4, 1, tzinfo=UTC)
    assert list(kept.at(one_o_clock, "by the hour", as_many_as_the_hour)) == [first]
    assert list(kept.at(one_o_clock + timedelta(hours=1), "by the hour", as_many_as_the_hour)) == [
        first,
        second,
    ]
