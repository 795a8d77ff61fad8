"""A queue's page read with its statement kept for its shape lists what the queue lists, moment
by moment, and follows the viewer's scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.core.tests.test_kept_queries import compilations
from servicedesk.directory.models import Person
from servicedesk.tickets import queues
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.queue_pages import QueueRows, queue_paginator
from servicedesk.tickets.queues import Queue, QueueFilters, queue_tickets
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.tests.test_queues import due_in, make, numbers

pytestmark = pytest.mark.django_db


def fresh(person: Person) -> Person:
    """The person as a new request reads them (their scope is kept on the object)."""
    return Person.objects.get(pk=person.pk)


def test_each_page_lists_what_the_queue_lists_at_its_moment(org: Org) -> None:
    late, soon, later = make(org, "Late"), make(org, "Soon"), make(org, "Later")
    due_in(late, -30)
    due_in(soon, 60)
    due_in(later, 60 * 24)
    now = timezone.now()
    listed = (Queue.OVERDUE, Queue.BREACHING_SOON, Queue.ALL_OPEN, Queue.MY_GROUPS, Queue.NEW)
    for viewer in (org.desk, org.network):
        for queue in listed:
            for moment in (now, now + timedelta(hours=2), now + timedelta(days=2)):
                for rows in (slice(0, 2), slice(2, 4)):
                    expected = queue_tickets(fresh(viewer), queue, now=moment)[rows]
                    kept = QueueRows(fresh(viewer), queue, QueueFilters(), "due", moment)[rows]
                    assert numbers(kept) == numbers(expected), (viewer, queue, moment, rows)
    overdue_later = QueueRows(fresh(org.desk), Queue.OVERDUE, QueueFilters(), "due", now)
    assert numbers(overdue_later[0:25]) == [late.number]
    two_days_on = QueueRows(
        fresh(org.desk), Queue.OVERDUE, QueueFilters(), "due", now + timedelta(days=2)
    )
    assert set(numbers(two_days_on[0:25])) == {late.number, soon.number, later.number}


def test_a_page_of_a_shape_met_before_is_not_compiled_again(org: Org) -> None:
    printer = make(org, "Printer jams")
    now = timezone.now()
    page = QueueRows(fresh(org.network), Queue.ALL_OPEN, QueueFilters(), "priority", now)
    list(page[0:25])
    with compilations() as compiled:
        later = QueueRows(
            fresh(org.network), Queue.ALL_OPEN, QueueFilters(), "priority", now + timedelta(1)
        )
        assert numbers(later[0:25]) == [printer.number]
    assert not any('"tickets_ticket"."number"' in sql for sql in compiled), compiled


@pytest.mark.parametrize("walked_from", [1, 3])
def test_the_agents_own_open_tickets_are_kept_for_the_column_their_statement_asks(
    org: Org, monkeypatch: pytest.MonkeyPatch, walked_from: int
) -> None:
    """Walking the queue order (from `OWN_OPEN_WALKED_FROM` tickets held) or the ticket's own
    index: each is its own shape, read as `queue_tickets` reads it, and compiled once; so is
    the read of how many the agent holds, for each limit."""
    monkeypatch.setattr(queues, "OWN_OPEN_WALKED_FROM", walked_from)
    mine = make(org, "Monitor flickers")
    mine.assignee = org.network
    mine.save(update_fields=["assignee"])
    make(org, "Badge reader offline")
    now = timezone.now()
    expected = numbers(queue_tickets(fresh(org.network), Queue.MY_OPEN, now=now)[0:25])
    first = QueueRows(fresh(org.network), Queue.MY_OPEN, QueueFilters(), "due", now)
    assert numbers(first[0:25]) == expected == [mine.number]
    network = fresh(org.network)
    with compilations() as compiled:
        again = QueueRows(network, Queue.MY_OPEN, QueueFilters(), "due", now)
        assert numbers(again[0:25]) == [mine.number]
    assert compiled == [], compiled  # neither the page nor how many the agent holds


def test_a_wider_scope_is_another_shape_and_so_another_page(org: Org) -> None:
    """The viewer's scope (their groups' agencies, written into the statement) is part of the
    shape: a kept page never misses what it now should show, nor shows what it no longer should."""
    org.network_group.agencies.add(org.agency)

    def filed_by(requester: Person) -> str:
        return ticket_create(
            actor=org.desk, requester=requester, kind=TicketKind.INCIDENT, short_description="x"
        ).number

    ours, theirs = filed_by(org.employee), filed_by(org.stranger)

    def all_open() -> set[str]:
        rows = QueueRows(fresh(org.network), Queue.ALL_OPEN, QueueFilters(), "due", timezone.now())
        return set(numbers(rows[0:25]))

    assert all_open() == {ours}
    org.network_group.agencies.add(org.other_agency)
    assert all_open() == {ours, theirs}
    org.network_group.agencies.remove(org.other_agency)
    assert all_open() == {ours}


def test_a_search_is_paged_as_before(org: Org) -> None:
    printer = make(org, "Printer jams")
    make(org, "VPN drops")
    found = queue_paginator(
        fresh(org.desk), Queue.ALL_OPEN, QueueFilters(text="printer"), "due", 25
    ).get_page(1)
    assert numbers(found) == [printer.number]


def test_an_empty_queue_page_builds_no_statement_for_its_rows(
    org: Org, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django builds a whole statement before it finds a slice empty (8 ms at a million
    tickets, for the desk's many empty queues)."""
    asked: list[Query] = []
    original = SQLCompiler.as_sql

    def noted(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        asked.append(self.query)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", noted)
    client.force_login(org.desk)
    page = client.get("/workspace/queues/overdue/")
    assert page.status_code == 200 and "0 tickets" in page.content.decode()
    rows = [query for query in asked if "ahead_approval" in query.annotations]  # the page's
    assert asked and not rows
