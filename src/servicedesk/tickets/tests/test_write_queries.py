"""What each common write costs in queries, pinned: the desk files and answers tickets all day,
so a query more on these paths is a query more thousands of times a day. A count that changes
must be explained where it changes (the commit).

Counted inside the test's transaction: the service's own transaction shows as a SAVEPOINT and
its RELEASE (in production, BEGIN and COMMIT)."""

from __future__ import annotations

from typing import Any

import pytest

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import (
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
)


@pytest.fixture
def filed(org: Org) -> Ticket:
    """An employee's new ticket, after writes that load what a process keeps all day for the
    configuration's edition: the SLA rules and templates a filing reads, the agency, location
    and group rows a ticket's lock reads (`tickets.kept_relations`)."""
    ticket_create(actor=org.desk, kind=TicketKind.INCIDENT, short_description="warm the caches")
    warm = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="warm")
    ticket_assign(warm, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    ticket_transition(warm, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="VPN")


def test_filing_a_ticket(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    # The configuration's edition (one read instead of the SLA rules, the default calendar, the
    # mail template and the webhook subscriptions, which the process keeps until the edition
    # changes: core/editions.py), then the transaction (2): number, ticket, history (one insert
    # for every entry), clocks (one insert), their events (one insert), the requester's
    # notification and mail. The requester's agency and location come with the person; the
    # requester knows their ticket without asking the affected people.
    with django_assert_num_queries(10):
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer")


def test_assigning(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    # The configuration's edition (for the mail templates and webhooks), lock with the people
    # history names (the rest is kept, `tickets.kept_relations`), membership check, save,
    # history, clocks (read, one update), then the assignee's notification and mail and the
    # requester's status update (affected people, watchers, notification, preferences, mail).
    with django_assert_num_queries(19):
        ticket_assign(
            filed, actor=org.desk, version=None, group=org.network_group, assignee=org.network
        )


def test_a_staff_reply_and_a_requester_reply(
    org: Org, filed: Ticket, django_assert_num_queries: Any
) -> None:
    ticket_assign(
        filed, actor=org.desk, version=None, group=org.network_group, assignee=org.network
    )
    # The configuration's edition, lock, comment, history, the response clocks (read, stop
    # event, one update), touch, then the requester's mail; the requester's reply tells the
    # assignee.
    with django_assert_num_queries(15):
        comment_add(filed, actor=org.network, body="Could you restart the laptop?")
    with django_assert_num_queries(12):
        comment_add(filed, actor=org.employee, body="Done, still dropping")


def test_state_changes(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    ticket_assign(filed, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    # The configuration's edition, lock, save, history, clocks (read, one update for all), the
    # requester's status update.
    with django_assert_num_queries(13):
        ticket_transition(filed, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    # …and the open tasks a resolution must not leave behind, the clock's stop event.
    with django_assert_num_queries(15):
        ticket_transition(
            filed, actor=org.desk, version=None, to=TicketState.RESOLVED, note="New router"
        )
