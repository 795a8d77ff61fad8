"""A small organisation where scope matters: two agencies, a team for each, leads, a manager and
an administrator, and tickets on both sides. Shared by the scoping tests of tickets, workspace
and api (import the fixture: `from servicedesk.tickets.tests.scoping import scoped as scoped`).

Agency X is the fixture's Service Oklahoma (`org.agency`), agency Y its Human Services
(`org.other_agency`). The fixture's desk and network groups name no agencies, so `org.desk` and
`org.network` serve every agency and see every ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_assign, ticket_create


@dataclass
class Scoped:
    org: Org
    x_agent: Person  # member of the X team, which serves agency X only
    y_agent: Person  # member of the Y team, which serves agency Y only
    x_lead: Person  # group lead of the X team, not listed as a member
    service_lead: Person  # org.lead: a service lead in no group
    manager: Person
    admin: Person
    x_team: SupportGroup
    y_team: SupportGroup
    lead_group: SupportGroup
    x_ticket: Ticket  # filed by an employee of agency X, not yet assigned
    y_ticket: Ticket  # filed by an employee of agency Y, assigned to the Y team
    y_ticket_for_x_team: Ticket  # agency Y's, but assigned to the X team
    no_agency_ticket: Ticket  # filed for someone with no agency (an unknown mail sender)
    escalated: Ticket  # agency Y's, escalated to the service-lead tier

    def who(self, name: str) -> Person:
        """A role of the matrix by name: requester (of agency X), x_agent, …, admin."""
        if name == "requester":
            return self.org.employee
        if name == "y_requester":
            return self.org.stranger
        person = getattr(self, name)
        assert isinstance(person, Person)
        return person


@pytest.fixture
def scoped(org: Org) -> Scoped:
    x_agent = make_person("xagent", Role.AGENT, org.fiber)
    y_agent = make_person("yagent", Role.AGENT, org.fiber)
    x_lead = make_person("xlead", Role.GROUP_LEAD, org.fiber)
    manager = make_person("boss", Role.MANAGER, org.fiber)
    admin = make_person("root", Role.ADMIN, org.fiber)
    x_team = SupportGroup.objects.create(name="SOK field team", tier=Tier.L2, lead=x_lead)
    x_team.members.add(x_agent)
    x_team.agencies.add(org.agency)
    y_team = SupportGroup.objects.create(name="DHS field team", tier=Tier.L2)
    y_team.members.add(y_agent)
    y_team.agencies.add(org.other_agency)
    lead_group = SupportGroup.objects.create(name="Service lead", tier=Tier.SERVICE_LEAD)
    # Serves X, so the service lead sees X's tickets; Y's reach them only once escalated.
    lead_group.agencies.add(org.agency)

    def filed(by: Person, text: str, group: SupportGroup | None = None) -> Ticket:
        ticket = ticket_create(actor=by, kind=TicketKind.INCIDENT, short_description=text)
        if group is None:
            return ticket
        return ticket_assign(ticket, actor=org.desk, version=None, group=group)

    nobody = Person.objects.create(username="unknown-sender", email="someone@elsewhere.example")
    return Scoped(
        org=org,
        x_agent=x_agent,
        y_agent=y_agent,
        x_lead=x_lead,
        service_lead=org.lead,
        manager=manager,
        admin=admin,
        x_team=x_team,
        y_team=y_team,
        lead_group=lead_group,
        x_ticket=filed(org.employee, "Card printer jammed at the counter"),
        y_ticket=filed(org.stranger, "Benefits portal times out", y_team),
        y_ticket_for_x_team=filed(org.stranger, "Shared drive offline", x_team),
        no_agency_ticket=filed(nobody, "Mail from a stranger"),
        escalated=filed(org.stranger, "Case system down for everyone", lead_group),
    )
