from pathlib import Path

import pytest
from django.test import Client

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def employee_client(client: Client, org: Org) -> Client:
    client.force_login(org.employee)
    return client


@pytest.fixture
def incident(org: Org) -> Ticket:
    return ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN drops",
        description="Since Monday",
    )
