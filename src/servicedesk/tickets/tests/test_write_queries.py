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
    ticket_create(actor=org.desk, kind=TicketKind.INCIDENT, short_description="warm the caches")
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="VPN")


def test_filing_a_ticket(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    # Transaction (2), number, ticket, history (one insert for every entry), SLA rules, default
    # calendar, clocks (one insert), their events (one insert), the requester's notification,
    # mail template, mail, webhook subscriptions. The requester's agency and location come
    # with the person; the requester knows their ticket without asking the affected people.
    with django_assert_num_queries(13):
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer")


def test_assigning(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    # Lock with everything history names, membership check, save, history, clocks (read, one
    # update), then the assignee's notification and mail and the requester's status update
    # (affected people, watchers, notification, preferences, template, mail), webhooks.
    with django_assert_num_queries(21):
        ticket_assign(
            filed, actor=org.desk, version=None, group=org.network_group, assignee=org.network
        )


def test_a_staff_reply_and_a_requester_reply(
    org: Org, filed: Ticket, django_assert_num_queries: Any
) -> None:
    ticket_assign(
        filed, actor=org.desk, version=None, group=org.network_group, assignee=org.network
    )
    # Lock, comment, history, the response clocks (read, stop event, one update), touch, then
    # the requester's mail; the requester's reply tells the assignee.
    with django_assert_num_queries(16):
        comment_add(filed, actor=org.network, body="Could you restart the laptop?")
    with django_assert_num_queries(13):
        comment_add(filed, actor=org.employee, body="Done, still dropping")


def test_state_changes(org: Org, filed: Ticket, django_assert_num_queries: Any) -> None:
    ticket_assign(filed, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    # Lock, save, history, clocks (read, one update for all), the requester's status update.
    with django_assert_num_queries(14):
        ticket_transition(filed, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    # …and the open tasks a resolution must not leave behind, the clock's stop event.
    with django_assert_num_queries(16):
        ticket_transition(
            filed, actor=org.desk, version=None, to=TicketState.RESOLVED, note="New router"
        )
