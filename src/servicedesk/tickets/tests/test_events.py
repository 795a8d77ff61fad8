from collections.abc import Iterator

import pytest

from servicedesk.conftest import Org
from servicedesk.tickets import events
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.services import (
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
)


@pytest.fixture
def heard() -> Iterator[list[events.TicketEvent]]:
    received: list[events.TicketEvent] = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def test_each_change_is_told_once_with_what_changed(org: Org, heard) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    ticket = ticket_assign(
        ticket, actor=org.desk, version=ticket.version, group=org.desk_group, assignee=org.desk
    )
    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Fixed"
    )
    comment_add(ticket, actor=org.desk, body="Done, please confirm")
    assert [e.name for e in heard] == [
        "ticket.create",
        "ticket.assign",
        "ticket.resolved",
        "comment.public",
    ]
    assigned, resolved, replied = heard[1], heard[2], heard[3]
    assert assigned.changes["state"] == ("new", "assigned")
    assert resolved.note == "Fixed"
    assert resolved.state_changed
    assert replied.comment is not None and replied.comment.body == "Done, please confirm"


def test_a_refused_change_tells_nobody(org: Org, heard) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    heard.clear()
    with pytest.raises(TicketError):
        ticket_transition(ticket, actor=org.desk, version=ticket.version, to=TicketState.CLOSED)
    assert heard == []
