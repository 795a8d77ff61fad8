"""The scoping rule, checked role by role against someone else's ticket."""

import pytest
from django.contrib.auth.models import AnonymousUser

from servicedesk.conftest import Org
from servicedesk.tickets.access import visible_attachments, visible_comments, visible_tickets
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import my_tickets, ticket_get
from servicedesk.tickets.services import comment_add, ticket_create, ticket_set_affected


@pytest.fixture
def tickets(org: Org) -> dict[str, Ticket]:
    own = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Mine")
    filed_for_colleague = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Colleague's",
    )
    affecting = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Office outage",
    )
    ticket_set_affected(affecting, actor=org.desk, people=[org.employee])
    return {"own": own, "colleague": filed_for_colleague, "affecting": affecting}


def test_an_employee_sees_own_and_affecting_tickets_only(org: Org, tickets) -> None:
    visible = set(visible_tickets(org.employee).values_list("number", flat=True))
    assert visible == {tickets["own"].number, tickets["affecting"].number}
    assert [t.number for t in my_tickets(org.employee)] == [
        tickets["affecting"].number,
        tickets["own"].number,
    ]
    with pytest.raises(Ticket.DoesNotExist):
        ticket_get(org.employee, tickets["colleague"].number)


@pytest.mark.parametrize("who", ["desk", "network", "lead"])
def test_staff_see_every_ticket(org: Org, tickets, who: str) -> None:
    assert visible_tickets(getattr(org, who)).count() == 3


def test_nobody_signed_out_or_deactivated_sees_anything(org: Org, tickets) -> None:
    assert not visible_tickets(AnonymousUser()).exists()
    org.employee.is_active = False
    assert not visible_tickets(org.employee).exists()


def test_internal_notes_never_reach_the_requester(org: Org, tickets) -> None:
    own = tickets["own"]
    comment_add(own, actor=org.desk, body="We are on it")
    comment_add(own, actor=org.desk, body="Suspect the user", internal=True)
    assert list(visible_comments(org.employee).values_list("body", flat=True)) == ["We are on it"]
    assert visible_comments(org.desk).count() == 2
    assert not visible_comments(org.stranger).exists()
    assert not visible_attachments(org.stranger).exists()
