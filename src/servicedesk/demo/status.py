"""Demo system status: email is slow right now (an agency-wide incident the desk works under, so
employees can join it from the portal's forms), and the network has maintenance next week."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import Service
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.outages.choices import StatusKind, UpdateStage
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.services import (
    maintenance_schedule,
    status_entry_declare,
    status_entry_update,
)
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.services import ticket_create, ticket_transition

OUTAGE_TITLE = "Email delivery delayed"


def load_status(
    people: dict[str, Person], support: dict[str, SupportGroup], catalog: dict[str, Service]
) -> int:
    """Declare the demo entries unless any exist; returns how many were made."""
    if StatusEntry.objects.exists():
        return 0
    desk, worker = people["desk"], people["appsup"]
    now = timezone.now()
    incident = ticket_create(
        actor=desk,
        requester=desk,
        kind=TicketKind.INCIDENT,
        channel=Channel.MONITORING,
        short_description="Email delivery delayed for the whole agency",
        description="Outbound and inbound mail queue for up to an hour at the mail relay.",
        service=catalog["email"],
        impact=Impact.AGENCY,
        severity=Severity.DEGRADATION,
        assignment_group=support["applications"],
        assignee=worker,
    )
    ticket_transition(incident, actor=worker, version=None, to=TicketState.IN_PROGRESS)
    entry = status_entry_declare(
        actor=desk,
        service=catalog["email"],
        kind=StatusKind.DEGRADATION,
        title=OUTAGE_TITLE,
        message="Mail is arriving up to an hour late. Nothing is lost; no need to resend.",
        starts_at=now - timedelta(minutes=40),
        incident=incident,
    )
    status_entry_update(
        entry,
        actor=worker,
        stage=UpdateStage.IDENTIFIED,
        message="The mail relay's queue is full; we are adding capacity.",
    )
    # Within the coming week, at night, when few people work.
    start = timezone.localtime(now + timedelta(days=6)).replace(
        hour=22, minute=0, second=0, microsecond=0
    )
    maintenance_schedule(
        actor=people["network"],
        service=catalog["network"],
        title="Core switch upgrade",
        message="The network and internet may drop for a few minutes at a time.",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    return 2
