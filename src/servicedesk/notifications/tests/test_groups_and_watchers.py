"""A ticket landing in a group with nobody assigned tells the group; escalation to the service
lead tells the lead; watchers hear what the requester hears while they may see the ticket."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role, Tier, UnassignedNotice
from servicedesk.directory.models import SupportGroup
from servicedesk.notifications.models import Notification
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.services import (
    comment_add,
    ticket_create,
    ticket_escalate,
    ticket_transition,
    ticket_watch,
)

pytestmark = pytest.mark.django_db


def told(title_part: str) -> set[str]:
    rows = Notification.objects.filter(title__contains=title_part)
    return set(rows.values_list("recipient__username", flat=True))


def file_for(org: Org, group: SupportGroup) -> str:
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN drops",
        assignment_group=group,
    )
    return ticket.number


def test_an_unassigned_ticket_tells_the_members_or_only_the_lead(org: Org) -> None:
    colleague = type(org.network).objects.create(
        username="netmate", email="netmate@example.org", role="agent"
    )
    org.network_group.members.add(colleague)

    first = file_for(org, org.network_group)
    assert told(f"{first} is in Network's queue") == {"network", "netmate"}

    org.network_group.unassigned_notice = UnassignedNotice.LEAD
    org.network_group.save()
    second = file_for(org, org.network_group)
    assert told(f"{second} is in Network's queue") == {"network"}

    org.network_group.unassigned_notice = UnassignedNotice.NOBODY
    org.network_group.save()
    third = file_for(org, org.network_group)
    assert told(f"{third} is in Network's queue") == set()


def test_escalation_to_the_service_lead_tells_the_lead(org: Org) -> None:
    lead_group = SupportGroup.objects.create(
        name="Service Lead",
        tier=Tier.SERVICE_LEAD,
        lead=org.lead,
        unassigned_notice=UnassignedNotice.NOBODY,
    )
    ticket = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Payroll export fails",
        assignment_group=org.network_group,
        assignee=org.network,
    )

    ticket_escalate(ticket, actor=org.network, version=None, reason="Vendor", group=lead_group)

    assert told(f"{ticket.number} is in Service Lead's queue") == {"lead"}


def test_a_watcher_hears_what_the_requester_hears_until_they_stop_watching(org: Org) -> None:
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Printer jams"
    )
    manager = make_person("boss", Role.MANAGER, org.fiber)
    with pytest.raises(TicketError):
        ticket_watch(ticket, person=org.stranger)
    ticket_watch(ticket, person=manager)

    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    comment_add(ticket, actor=org.desk, body="Ordered a new drum.")
    comment_add(ticket, actor=org.desk, body="Internal: vendor is slow.", internal=True)

    watcher_inbox = Notification.objects.filter(recipient=manager, ticket=ticket)
    titles = list(watcher_inbox.values_list("title", flat=True))
    assert any("is now in progress" in t for t in titles)
    assert any("replied" in t for t in titles)
    assert not any("Internal" in body for body in watcher_inbox.values_list("body", flat=True))

    ticket_watch(ticket, person=manager, watching=False)
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.AWAITING_CUSTOMER)
    assert watcher_inbox.count() == len(titles)
