"""The queue search (tickets/search.py): substring matching through the index, kept in step with
every write, and never past what the viewer may read."""

from __future__ import annotations

import pytest
from django.db import connection

from servicedesk.conftest import Org
from servicedesk.tickets.access import ticket_scope
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.queues import Queue, QueueFilters, queue_tickets
from servicedesk.tickets.search import COMMENT_INDEX, TICKET_INDEX, in_ticket_fields
from servicedesk.tickets.services import (
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
    ticket_update,
)


def make(org: Org, short: str, description: str = "") -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description=short,
        description=description,
    )


def found(viewer, text: str) -> list[str]:
    tickets = queue_tickets(viewer, Queue.ALL_OPEN, QueueFilters(text=text), sort="number")
    return [ticket.number for ticket in tickets]


@pytest.fixture
def vpn(org: Org) -> Ticket:
    return make(org, "VPN drops every hour", "Started after the FortiClient update.")


@pytest.fixture
def printer(org: Org) -> Ticket:
    return make(org, "Printer jams on floor 2", "Paper tray 3, model HP-4050.")


def test_words_match_inside_any_field_in_any_case(org: Org, vpn: Ticket, printer: Ticket) -> None:
    assert found(org.desk, "vpn") == [vpn.number]
    assert found(org.desk, "forticl") == [vpn.number]  # inside a word of the description
    assert found(org.desk, "AMS") == [printer.number]  # inside "jams"
    assert found(org.desk, printer.number.lower()) == [printer.number]
    assert found(org.desk, printer.number[-4:]) == [printer.number]
    assert found(org.desk, "hp-4050") == [printer.number]
    assert found(org.desk, "FLOOR") == [printer.number]
    assert found(org.desk, "scanner") == []


def test_every_word_must_match_somewhere_fields_and_comments_mixed(
    org: Org, vpn: Ticket, printer: Ticket
) -> None:
    comment_add(printer, actor=org.employee, body="Still jamming after the toner swap.")
    assert found(org.desk, "printer toner") == [printer.number]
    assert found(org.desk, "vpn toner") == []
    assert found(org.desk, "toner") == [printer.number]


def test_short_words_are_still_found_without_the_index(org: Org, vpn: Ticket, printer: Ticket):
    assert found(org.desk, "2") == [printer.number]  # "floor 2"
    assert found(org.desk, "HP printer") == [printer.number]
    assert found(org.desk, "hp vpn") == []


def test_search_syntax_is_just_text(org: Org, vpn: Ticket) -> None:
    odd = make(org, 'Error "0x80070005" AND NEAR(access) * denied')
    assert found(org.desk, '"0x8007') == [odd.number]
    assert found(org.desk, "AND") == [odd.number]
    assert found(org.desk, "NEAR(access)") == [odd.number]
    assert found(org.desk, "*") == [odd.number]
    assert found(org.desk, "vpn NEAR") == []  # no AND/OR/NEAR operators either


def test_the_index_follows_edits_and_new_comments(org: Org, vpn: Ticket) -> None:
    assert found(org.desk, "wifi") == []
    ticket_update(vpn, actor=org.desk, version=None, changes={"short_description": "Wifi drops"})
    assert found(org.desk, "wifi") == [vpn.number]
    assert found(org.desk, "vpn") == []
    comment_add(vpn, actor=org.desk, body="Roaming between access points", internal=True)
    assert found(org.desk, "roaming") == [vpn.number]


def written_around_the_services(org: Org, number: str, short: str) -> Ticket:
    """A ticket row as the benchmark generator writes it: bulk_create, no service, no history."""
    (ticket,) = Ticket.objects.bulk_create(
        [
            Ticket(
                number=number,
                kind=TicketKind.INCIDENT,
                short_description=short,
                requester=org.employee,
                requested_by=org.employee,
            )
        ]
    )
    return ticket


def test_rows_written_around_the_services_are_indexed_too(org: Org) -> None:
    # The benchmark generator writes with bulk_create: the index must follow the rows.
    ticket = written_around_the_services(org, "INC0999001", "Badge reader offline")
    Comment.objects.bulk_create([Comment(ticket=ticket, author=org.desk, body="Door 7 fixed")])
    assert found(org.desk, "badge") == [ticket.number]
    assert found(org.desk, "door") == [ticket.number]


def test_requesters_never_match_internal_notes(org: Org, vpn: Ticket) -> None:
    comment_add(vpn, actor=org.desk, body="Firewall rule 42 is the culprit", internal=True)
    comment_add(vpn, actor=org.desk, body="We are on it", internal=False)
    assert found(org.desk, "firewall") == [vpn.number]
    assert found(org.employee, "vpn") == [vpn.number]
    assert found(org.employee, "on it") == [vpn.number]
    assert found(org.employee, "firewall") == []
    assert found(org.employee, "42") == []  # the short-word path keeps the rule too


def test_search_only_narrows_what_the_viewer_sees(org: Org, vpn: Ticket) -> None:
    theirs = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="VPN slow for the colleague",
    )
    assert found(org.desk, "vpn") == [vpn.number, theirs.number]
    assert found(org.employee, "vpn") == [vpn.number]
    assert found(org.stranger, "vpn") == []


def test_a_search_is_one_query_however_many_words(
    org: Org, vpn: Ticket, printer: Ticket, django_assert_num_queries
) -> None:
    comment_add(printer, actor=org.desk, body="Toner ordered", internal=True)
    ticket_scope(org.desk)  # read once per request, before the page's queries
    with django_assert_num_queries(1):
        assert found(org.desk, "printer 2 toner jams floor hp") == [printer.number]


def test_sqlite_answers_from_the_trigram_index(org: Org, vpn: Ticket) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    tickets = queue_tickets(org.desk, Queue.ALL_OPEN, QueueFilters(text="drops"))
    sql, params = tickets.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and TICKET_INDEX in plan and COMMENT_INDEX in plan
    # A later migration that remakes either table drops its triggers (see tickets/README.md).
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    for index in (TICKET_INDEX, COMMENT_INDEX):
        assert {f"{index}_{event}" for event in ("insert", "update", "delete")} <= triggers


def test_postgresql_answers_from_the_trigram_indexes(org: Org, vpn: Ticket, on_postgres) -> None:
    tickets = queue_tickets(org.desk, Queue.ALL_OPEN, QueueFilters(text="drops"))
    with connection.cursor() as cursor:
        # A table this small is cheaper to read whole; ask what plan the index allows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = tickets.explain()
        # The ticket fields are matched within the queue's own conditions, which on five
        # tickets the open-queue index answers better: ask the match itself, where walking a
        # whole index and filtering is priced out as reading the table is (a trigram index is
        # read by bitmap).
        cursor.execute("SET LOCAL enable_indexscan = off")
        fields_plan = (
            Ticket.objects.filter(in_ticket_fields("drops", open_only=True)).order_by().explain()
        )
        every_plan = Ticket.objects.filter(in_ticket_fields("drops")).order_by().explain()
    assert f"{TICKET_INDEX}_trgm" in every_plan
    assert f"{TICKET_INDEX}_open_trgm" in fields_plan
    assert "tickets_comment_body_trgm" in plan
    assert found(org.desk, "drops") == [vpn.number]


def test_postgresql_keeps_no_trigram_index_on_the_ticket_row(org: Org, on_postgres) -> None:
    # Re-planning a million due times rewrites a million ticket rows: each new row version
    # enters every index of the table, and trigram indexes cost most (see tickets/search.py).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket' "
            "AND indexdef LIKE '%%gin%%'"
        )
        assert cursor.fetchall() == []


def test_the_to_verify_queue_finds_resolved_tickets_and_the_open_queues_do_not(
    org: Org, vpn: Ticket
) -> None:
    ticket = ticket_assign(
        vpn, actor=org.desk, version=vpn.version, group=org.desk_group, assignee=org.desk
    )
    resolved = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Fixed"
    )

    def in_queue(queue: Queue) -> list[str]:
        tickets = queue_tickets(org.desk, queue, QueueFilters(text="drops"), sort="number")
        return [ticket.number for ticket in tickets]

    assert in_queue(Queue.TO_VERIFY) == [vpn.number]
    assert in_queue(Queue.ALL_OPEN) == []
    ticket_transition(
        resolved, actor=org.desk, version=resolved.version, to=TicketState.IN_PROGRESS
    )
    assert in_queue(Queue.ALL_OPEN) == [vpn.number]
    assert in_queue(Queue.TO_VERIFY) == []


def test_a_phrase_never_spans_two_fields(org: Org) -> None:
    ticket = make(org, "Monitor flickers", "Since Monday.")
    assert found(org.desk, "flickers") == [ticket.number]
    assert found(org.desk, "flickers since") == [ticket.number]  # two words, two fields
    assert in_ticket_fields("flickers since") is not None
    assert list(Ticket.objects.filter(in_ticket_fields("flickers since"))) == []
    assert list(Ticket.objects.filter(in_ticket_fields("s since"))) == []


def test_like_wildcards_are_plain_characters(org: Org) -> None:
    percent = make(org, "Disk 100% full on the file server")
    make(org, "Disk 1000 GB ordered")
    underscore = make(org, "Share PROJ_2026 unreachable")
    make(org, "Share PROJX2026 unreachable")
    assert found(org.desk, "100%") == [percent.number]
    assert found(org.desk, "proj_2026") == [underscore.number]


def test_deleted_and_flushed_tickets_leave_the_index(org: Org, vpn: Ticket) -> None:
    # Filed tickets are never deleted (their history protects them); rows written around the
    # services, as the benchmark generator writes them, may be.
    ticket = written_around_the_services(org, "INC0999002", "Scanner offline")
    assert found(org.desk, "scanner") == [ticket.number]
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert found(org.desk, "scanner") == []
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TICKET_INDEX} WHERE ticket_id = %s", [ticket.pk])
        assert cursor.fetchone() == (0,)
        # A test database's flush empties the tickets by TRUNCATE (rolled back with the test).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred key checks run first
        cursor.execute("TRUNCATE tickets_ticket CASCADE")
        cursor.execute(f"SELECT count(*) FROM {TICKET_INDEX}")
        assert cursor.fetchone() == (0,)
