"""What keeps a queue's cost flat however full the desk is: the running resolution clock's due
time kept on the ticket by the database, and counts that stop past `COUNT_CAP`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets import access, queues
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import QueueOrder, Ticket
from servicedesk.tickets.queues import Queue, queue_counts, queue_tickets
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped


def make(org: Org, text: str) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description=text,
        assignment_group=org.network_group,
    )


def due_of(ticket: Ticket) -> object:
    return QueueOrder.objects.values_list("resolution_due_at", flat=True).get(ticket=ticket)


def test_the_ticket_carries_its_running_resolution_clocks_due_time(org: Org) -> None:
    ticket = make(org, "Printer on the second floor is down")
    clocks = TicketClock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION)
    assert due_of(ticket) == clocks.get().due_at

    clocks.update(state=ClockState.PAUSED)
    assert due_of(ticket) is None
    later = timezone.now() + timedelta(days=3)
    clocks.update(state=ClockState.RUNNING, due_at=later)
    assert due_of(ticket) == later
    clocks.update(state=ClockState.COMPLETED)
    assert due_of(ticket) is None
    clocks.update(state=ClockState.RUNNING)
    clocks.delete()
    assert due_of(ticket) is None


def test_the_queue_order_follows_its_ticket_whatever_writes_it(org: Org) -> None:
    """The database keeps the copy: a bulk update and a bulk delete, which no service sees."""
    ticket = make(org, "Scanner jams on every page")
    order = QueueOrder.objects.filter(ticket=ticket)
    copied = ("state", "priority", "created_at")
    assert order.values_list(*copied).get() == (ticket.state, ticket.priority, ticket.created_at)

    earlier = ticket.created_at - timedelta(days=2)
    Ticket.objects.filter(pk=ticket.pk).update(
        state="in_progress", priority="p1", created_at=earlier
    )
    assert order.values_list(*copied).get() == ("in_progress", "p1", earlier)

    Ticket.objects.filter(pk=ticket.pk).update(short_description="Scanner jams")  # no copy moves
    assert order.values_list(*copied).get() == ("in_progress", "p1", earlier)


def test_the_queue_order_copies_the_keys_the_access_policy_asks(org: Org) -> None:
    """A walked queue checks a scoped agent's reach on these copies (`tickets.access`): one left
    behind would show a ticket to the wrong agency's desk."""
    ticket = make(org, "Badge reader offline at the east door")
    keys = ("agency_id", "assignment_group_id", "assignee_id")
    order = QueueOrder.objects.filter(ticket=ticket)
    filed = (ticket.agency_id, ticket.assignment_group_id, ticket.assignee_id)
    assert order.values_list(*keys).get() == filed

    Ticket.objects.filter(pk=ticket.pk).update(
        agency=org.other_agency, assignment_group=org.network_group, assignee=org.network
    )
    assert order.values_list(*keys).get() == (
        org.other_agency.pk,
        org.network_group.pk,
        org.network.pk,
    )
    Ticket.objects.filter(pk=ticket.pk).update(assignee=None)
    assert order.values_list(*keys).get() == (org.other_agency.pk, org.network_group.pk, None)


def test_the_queue_order_goes_with_its_ticket(org: Org) -> None:
    # Filed tickets keep their history and are never deleted: one written bare, as a bulk
    # import would, is.
    (ticket,) = Ticket.objects.bulk_create(
        [
            Ticket(
                number="INC9999901",
                kind=TicketKind.INCIDENT,
                requester=org.employee,
                requested_by=org.employee,
            )
        ]
    )
    assert QueueOrder.objects.filter(ticket_id=ticket.pk).exists()
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert not QueueOrder.objects.filter(ticket_id=ticket.pk).exists()


def test_a_clock_of_another_metric_leaves_the_due_time_alone(org: Org) -> None:
    ticket = make(org, "Cannot reach the shared drive")
    due = due_of(ticket)
    TicketClock.objects.filter(ticket=ticket).exclude(metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(days=9)
    )
    assert due_of(ticket) == due


@pytest.fixture
def cap_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queues, "COUNT_CAP", 2)


def test_counts_stop_past_the_cap_and_say_so(org: Org, cap_of_two: None, client: Client) -> None:
    for text in ("VPN drops", "VPN slow", "VPN refuses my password"):
        make(org, text)
    assert queue_counts(org.desk)[Queue.ALL_OPEN] == 3  # the cap and one: "more than the cap"
    assert queue_tickets(org.desk, Queue.ALL_OPEN).count() == 3

    client.force_login(org.desk)
    home = client.get("/workspace/").content.decode()
    assert 'data-testid="count-all-open">2+</div>' in home
    page = client.get("/workspace/queues/all-open/").content.decode()
    assert "2+ tickets" in page
    assert page.count("VPN ") == 2  # the pages offered stop at the cap


def test_a_queue_page_counts_in_the_order_of_the_index_that_holds_its_tickets(
    org: Org, client: Client
) -> None:
    """Counted in no order, PostgreSQL may read the tickets table from its start until it has
    found the cap's worth of open tickets, most of them filed last: 166,000 rows read for an
    agent scoped to one agency at a million tickets (73 ms, against 2 ms walking the index; the
    index the count now walks, which holds the access policy's columns, reads no table row).
    Joined to the queue order as the page is, it hashed every ticket in the agent's scope
    (600 ms): the count reads the tickets alone."""
    for text in ("VPN drops", "VPN slow"):
        make(org, text)
    client.force_login(org.network)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/workspace/queues/all-open/").content.decode()
    assert "2 tickets" in page
    counts = [
        query["sql"]
        for query in captured
        if query["sql"].startswith('SELECT COUNT(*) FROM (SELECT "tickets_ticket"')
    ]
    assert len(counts) == 1
    assert "JOIN" not in counts[0]
    order = re.search(r"ORDER BY (.*) LIMIT", counts[0])
    assert order is not None, counts[0]
    assert order.group(1) == (
        '"tickets_ticket"."state" ASC, "tickets_ticket"."agency_id" ASC, '
        '"tickets_ticket"."assignment_group_id" ASC, "tickets_ticket"."assignee_id" ASC'
    )


def page_query(captured: CaptureQueriesContext) -> str:
    pages = [q["sql"] for q in captured if "LIMIT 26" in q["sql"] or "LIMIT 25" in q["sql"]]
    assert len(pages) == 1, pages
    return pages[0]


def test_a_walked_queue_page_asks_the_access_policy_and_the_search_of_the_queue_order(
    scoped: Scoped, client: Client
) -> None:
    """The scope is asked of the queue order's copies of the ticket's keys, which the index it
    walks holds, so that no ticket is looked up before it is known visible. Joined to the queue
    order, a set built by a subquery (the tickets the viewer follows, the tickets a search
    matches) on the ticket's side is priced by PostgreSQL as if built again for each ticket met,
    and it hashed every ticket in scope instead of walking the queue order's index (at a million
    tickets: the desk's search 364 ms, against 31 ms on the queue order's key)."""
    word = max(scoped.x_ticket.short_description.split(), key=len)
    scoped.y_ticket.short_description = scoped.x_ticket.short_description
    scoped.y_ticket.save(update_fields=["short_description"])
    client.force_login(scoped.x_agent)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/workspace/queues/all-open/?q={word}").content.decode()
    assert scoped.x_ticket.number in page
    assert scoped.y_ticket.number not in page  # agency Y's, the Y team's: out of scope
    sql = page_query(captured)
    assert '"tickets_queueorder"."agency_id" IN (' in sql  # the agent's scope
    assert '"tickets_ticket"."agency_id" IN (' not in sql
    assert '"tickets_queueorder"."ticket_id" IN (' in sql  # their following, and the search
    assert '"tickets_ticket"."id" IN (' not in sql


def test_a_queue_page_joins_only_what_its_rows_show(org: Org, client: Client) -> None:
    """The rows show the group and the assignee; the requester and the service are not joined.
    With them the page's query took PostgreSQL 8 ms to plan for less than 1 ms to run (more
    tables, more join orders weighed), at a thousand tickets as at a million."""
    ticket = make(org, "Printer jammed on the third floor")
    ticket.assignment_group = org.desk_group
    ticket.assignee = org.desk
    ticket.save(update_fields=["assignment_group", "assignee"])
    client.force_login(org.desk)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/workspace/queues/all-open/").content.decode()
    assert ticket.number in page
    assert f"{org.desk_group} · {org.desk}" in page
    (rows,) = [q["sql"] for q in captured if 'AS "resolution_due"' in q["sql"]]
    joined = re.findall(r'JOIN "\w+"(?: T\d+)? ON \("tickets_ticket"\."(\w+)"', rows)
    assert sorted(joined) == ["assignee_id", "assignment_group_id", "id"]  # id: the queue order


def test_the_counts_of_the_queues_of_a_due_time_read_the_queue_order_alone(
    scoped: Scoped,
) -> None:
    """The overdue and breaching-soon counts of the nav and the home ask the access policy of
    the queue order's copies of the ticket's keys: none of the tickets they count is looked up,
    and the scoped agent counts only what they may see."""
    now = timezone.now()
    overdue = [scoped.x_ticket, scoped.y_ticket_for_x_team, scoped.y_ticket]
    soon = [scoped.no_agency_ticket, scoped.escalated]
    for tickets, due in ((overdue, now - timedelta(hours=1)), (soon, now + timedelta(hours=1))):
        TicketClock.objects.filter(ticket__in=tickets, metric=Metric.RESOLUTION).update(
            state=ClockState.RUNNING, due_at=due
        )
    with CaptureQueriesContext(connection) as captured:
        counts = queue_counts(scoped.x_agent, now, [Queue.OVERDUE, Queue.BREACHING_SOON])
    assert counts == {Queue.OVERDUE: 2, Queue.BREACHING_SOON: 0}  # agency Y's are not theirs
    (sql,) = [query["sql"] for query in captured if "COUNT" in query["sql"]]
    assert sql.count('FROM "tickets_queueorder"') == 2
    assert "JOIN" not in sql  # through the tickets, each was joined to its queue order
    assert queue_counts(scoped.admin, now, [Queue.OVERDUE, Queue.BREACHING_SOON]) == {
        Queue.OVERDUE: 3,
        Queue.BREACHING_SOON: 2,
    }


def test_the_counts_compiled_once_follow_the_clock_and_the_scope(
    scoped: Scoped, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nav's statement is compiled once for the agent and reused: later, a ticket due in
    five hours is breaching soon, then overdue; and once the agent joins the other agency's
    team, their counts include its tickets."""
    compiled: list[Person] = []
    compile_counts = queues._counts_statement

    def counting(viewer: Person, *args: Any) -> tuple[str, list[Any]]:
        compiled.append(viewer)
        return compile_counts(viewer, *args)

    monkeypatch.setattr(queues, "_counts_statement", counting)
    queues._COUNTS.forget()
    now = timezone.now()
    for ticket, due in ((scoped.x_ticket, now + timedelta(hours=1)), (scoped.y_ticket, now)):
        TicketClock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION).update(
            state=ClockState.RUNNING, due_at=due + timedelta(hours=4)
        )
    due_queues = [Queue.OVERDUE, Queue.BREACHING_SOON]
    assert queue_counts(scoped.x_agent, now, due_queues) == {
        Queue.OVERDUE: 0,
        Queue.BREACHING_SOON: 0,  # x: due in five hours; y: not theirs
    }
    later = now + timedelta(hours=2)
    assert queue_counts(scoped.x_agent, later, due_queues) == {
        Queue.OVERDUE: 0,
        Queue.BREACHING_SOON: 1,
    }
    assert queue_counts(scoped.x_agent, now + timedelta(hours=6), due_queues) == {
        Queue.OVERDUE: 1,
        Queue.BREACHING_SOON: 0,
    }
    assert len(compiled) == 2  # at two instants, for the first count only
    scoped.y_team.members.add(scoped.x_agent)
    rejoined = Person.objects.get(pk=scoped.x_agent.pk)  # a new request reads the scope again
    assert queue_counts(rejoined, later, due_queues) == {
        Queue.OVERDUE: 0,
        Queue.BREACHING_SOON: 2,
    }


@pytest.mark.parametrize(
    ("walked_from", "asked"), [(2, "tickets_queueorder"), (3, "tickets_ticket")]
)
def test_my_open_queue_walks_the_queue_order_for_an_agent_holding_many(
    org: Org, client: Client, monkeypatch: pytest.MonkeyPatch, walked_from: int, asked: str
) -> None:
    """From `OWN_OPEN_WALKED_FROM` open tickets of their own, the agent's page asks the queue
    order's copy of the assignee, in the index it walks; below it, the ticket's own column,
    whose index holds an agent's open tickets. The same tickets either way."""
    monkeypatch.setattr(queues, "OWN_OPEN_WALKED_FROM", walked_from)
    mine = [make(org, "Laptop will not boot"), make(org, "Docking station flickers")]
    someone_elses = make(org, "Badge reader offline")
    for ticket, agent in (
        (mine[0], org.network),
        (mine[1], org.network),
        (someone_elses, org.desk),
    ):
        ticket.assignee = agent
        ticket.save(update_fields=["assignee"])
    client.force_login(org.network)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/workspace/queues/my-open/").content.decode()
    assert all(ticket.number in page for ticket in mine)
    assert someone_elses.number not in page
    (rows,) = [q["sql"] for q in captured if 'AS "resolution_due"' in q["sql"]]
    assert f'"{asked}"."assignee_id" = {org.network.pk}' in rows


def test_the_workspace_home_builds_the_followed_tickets_once(
    scoped: Scoped, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of the home's counts asks the access policy, whose followed tickets are a
    three-part union: built and compiled once a request, not once a count."""
    built: list[int] = []
    build = access.followed_ticket_ids

    def counted(person: Person) -> QuerySet[Any]:
        built.append(person.pk)
        return build(person)

    monkeypatch.setattr(access, "followed_ticket_ids", counted)
    client.force_login(scoped.x_agent)
    page = client.get("/workspace/")
    assert page.status_code == 200
    assert built == [scoped.x_agent.pk]
