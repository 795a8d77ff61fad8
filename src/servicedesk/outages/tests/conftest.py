from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.services import maintenance_schedule, status_entry_declare
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create


@pytest.fixture
def email(org: Org) -> Service:
    return Service.objects.create(name="Email and calendar", default_group=org.desk_group)


def wide_incident(org: Org, text: str, impact: Impact, service: Service | None = None) -> Ticket:
    """An incident filed by the stranger (another agency) and triaged by the desk."""
    return ticket_create(
        actor=org.desk,
        requester=org.stranger,
        kind=TicketKind.INCIDENT,
        short_description=text,
        service=service,
        impact=impact,
        severity=Severity.DEGRADATION,
        assignee=org.desk,
        assignment_group=org.desk_group,
    )


@pytest.fixture
def outage_incident(org: Org, email: Service) -> Ticket:
    return wide_incident(org, "Mail relay queue full", Impact.AGENCY, email)


@pytest.fixture
def email_outage(org: Org, email: Service, outage_incident: Ticket) -> StatusEntry:
    return status_entry_declare(
        actor=org.desk,
        service=email,
        kind=StatusKind.OUTAGE,
        title="Email delivery delayed",
        message="Mail arrives late.",
        starts_at=timezone.now() - timedelta(minutes=30),
        incident=outage_incident,
    )


@pytest.fixture
def network_maintenance(org: Org) -> StatusEntry:
    start = timezone.now() + timedelta(days=3)
    return maintenance_schedule(
        actor=org.desk,
        service=org.service,
        title="Core switch upgrade",
        message="Short drops.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


from servicedesk.outages.tests.major_fixtures import world as world  # noqa: E402
