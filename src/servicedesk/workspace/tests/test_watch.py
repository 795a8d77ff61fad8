"""Watching a ticket from its page, and stopping."""

from __future__ import annotations

import pytest
from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import TicketWatcher
from servicedesk.tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_an_agent_watches_a_ticket_and_stops(org: Org, client: Client) -> None:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Jam")
    client.force_login(org.desk)
    url = f"/workspace/tickets/{ticket.number}/"

    page = client.post(f"{url}watch/", {"watching": "on"}, follow=True).content.decode()
    assert "Stop watching" in page and "You are watching this ticket" in page
    assert TicketWatcher.objects.filter(ticket=ticket, person=org.desk).exists()

    page = client.post(f"{url}watch/", {"watching": ""}, follow=True).content.decode()
    assert ">Watch<" in page and "You no longer watch this ticket" in page
    assert not TicketWatcher.objects.exists()
