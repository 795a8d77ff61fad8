"""A major-incident world on top of `org`: a service with a communication plan, the contact
roles of the outage procedure, an on-call rota and a partner list; three reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.utils import timezone

from servicedesk.catalog.models import Service, ServiceDependency
from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import (
    ContactRole,
    ContactRoleHolder,
    DistributionList,
    OnCallRota,
    OnCallSlot,
    Person,
    SupportGroup,
)
from servicedesk.outages.models import CommunicationPlan
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create


@dataclass
class World:
    org: Org
    service: Service
    dependent: Service
    desk_lead: Person
    manager: Person
    on_call: Person
    sponsor: Person
    partners: DistributionList
    reports: list[Ticket]


def report(org: Org, service: Service, requester: Person, channel: Channel, text: str) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=requester,
        kind=TicketKind.INCIDENT,
        short_description=text,
        service=service,
        channel=channel,
    )


@pytest.fixture
def world(org: Org) -> World:
    app_support = SupportGroup.objects.create(name="Application Support", tier=Tier.L2)
    service = Service.objects.create(name="Case Search", default_group=org.desk_group)
    dependent = Service.objects.create(name="Warrant Notifications", default_group=org.desk_group)
    ServiceDependency.objects.create(service=dependent, depends_on=service)
    desk_lead = make_person("desklead", Role.GROUP_LEAD, org.fiber)
    manager = make_person("appmanager", Role.MANAGER, org.fiber)
    on_call = make_person("oncall", Role.AGENT, org.fiber)
    sponsor = make_person("sponsor", Role.REQUESTER, org.remote)
    app_support.members.add(on_call)
    # The Service Desk Lead leads the desk, so the access policy lets them know its tickets.
    org.desk_group.lead = desk_lead
    org.desk_group.save()
    lead_role = ContactRole.objects.create(name="Service Desk Lead")
    manager_role = ContactRole.objects.create(name="Application Support Manager")
    sponsor_role = ContactRole.objects.create(name="Sponsor")
    ContactRoleHolder.objects.create(role=lead_role, person=desk_lead)
    ContactRoleHolder.objects.create(role=manager_role, person=manager)
    ContactRoleHolder.objects.create(role=sponsor_role, person=sponsor, agency=org.agency)
    rota = OnCallRota.objects.create(
        group=app_support,
        starts_on=(timezone.now() - timedelta(days=3)).date(),
        handover_time=time(9, 0),
        meeting_time=time(11, 30),
    )
    OnCallSlot.objects.create(rota=rota, position=0, person=on_call)
    partners = DistributionList.objects.create(
        name="Business and data partners",
        outside_addresses="feeds@county.example\nclerk@courts.example\n",
    )
    plan = CommunicationPlan.objects.create(service=service, on_call_group=app_support)
    plan.notify_roles.set([lead_role, manager_role])
    plan.partner_lists.set([partners])
    plan.contact_roles.set([sponsor_role])
    reports = [
        report(org, service, org.employee, Channel.PHONE, "Case search times out"),
        report(org, service, org.colleague, Channel.EMAIL, "Cannot search cases"),
        report(org, service, org.employee, Channel.PORTAL, "Case search down again"),
    ]
    return World(org, service, dependent, desk_lead, manager, on_call, sponsor, partners, reports)
