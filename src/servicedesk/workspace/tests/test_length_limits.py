"""One length limit per field, whichever face sends the text: the workspace's forms refuse what
the services would refuse, beside the field, keeping what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.limits import TEXT_MAX
from servicedesk.tickets.services import comment_add, ticket_create


def test_an_internal_note_of_two_million_characters_is_refused_beside_the_field(
    org: Org, client: Client
) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    client.force_login(org.desk)
    response = client.post(
        f"/workspace/tickets/{ticket.number}/comment/",
        {"body": "x" * 2_000_000, "internal": "1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-body"' in page
    assert f"at most {TEXT_MAX:,} characters" in page or f"at most {TEXT_MAX} characters" in page
    assert not ticket.comments.exists()


def test_the_service_refuses_it_for_every_other_face(org: Org) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Fax")
    with pytest.raises(TicketError) as refused:
        comment_add(ticket, actor=org.desk, body="x" * (TEXT_MAX + 1), internal=True)
    assert (refused.value.code, refused.value.field) == ("too_long", "body")
    with pytest.raises(TicketError):
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="y" * 161)
