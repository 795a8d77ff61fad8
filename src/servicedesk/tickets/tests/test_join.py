"""An employee adds themselves to an incident's affected people ("this is my issue too")."""

from __future__ import annotations

import pytest

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.events import EventName, TicketEvent, subscribe, unsubscribe
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import (
    ticket_create,
    ticket_join_as_affected,
    ticket_transition,
)


@pytest.fixture
def outage(org: Org) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Email down",
        impact=Impact.AGENCY,
        severity=Severity.OUTAGE,
    )


def test_joining_adds_the_person_records_history_and_publishes_once(
    org: Org, outage: Ticket
) -> None:
    heard: list[TicketEvent] = []
    subscribe(heard.append)
    try:
        ticket_join_as_affected(outage, person=org.employee)
        ticket_join_as_affected(outage, person=org.employee)
    finally:
        unsubscribe(heard.append)
    assert list(outage.affected_people.all()) == [org.employee]
    entry = TicketHistory.objects.get(ticket=outage, action=EventName.JOIN)
    assert (entry.actor, entry.field) == (org.employee, "affected_people")
    assert [event.name for event in heard] == [EventName.JOIN]


def test_only_open_incidents_can_be_joined(org: Org, outage: Ticket) -> None:
    ticket_transition(outage, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Done")
    with pytest.raises(TicketError) as refused:
        ticket_join_as_affected(outage, person=org.employee)
    assert refused.value.code == TicketErrorCode.NOT_PERMITTED
    request = ticket_create(actor=org.colleague, kind=TicketKind.REQUEST, short_description="Pen")
    with pytest.raises(TicketError):
        ticket_join_as_affected(request, person=org.employee)
    assert not outage.affected_people.exists()
