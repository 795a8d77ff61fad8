"""The agent's workspace in the browser: triage and tiers (the state agency's filing procedure, the
justice network desk's escalation procedure), a task for the right team (the state agency's filing
procedure, 5a), and two agents saving one ticket at once."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.choices import Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_triage
from tests.e2e.pages import E2E_PASSWORD, AgentTicketPage, GivePassword, Header, LoginPage

MATRIX = import_module("servicedesk.catalog.migrations.0003_priority_matrix").MATRIX

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(org: Org, give_password: GivePassword) -> Org:
    # Transactional tests flush the tables after each test, the migration-loaded matrix too.
    for severity, row in MATRIX.items():
        for impact, priority in row.items():
            PriorityMatrixCell.objects.get_or_create(
                impact=impact, severity=severity, defaults={"priority": priority}
            )
    lead_group = SupportGroup.objects.create(name="Service Lead", tier=Tier.SERVICE_LEAD)
    lead_group.members.add(org.lead)
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=10,
        name="P1 incidents: restore in 4 hours",
        ticket_kind=TicketKind.INCIDENT,
        priority="p1",
        target_kind=TargetKind.DURATION,
        minutes=240,
    )
    give_password(org.desk, org.network, org.lead)
    return org


def sign_in(page: Page, base_url: str, person: Person) -> None:
    LoginPage(page, base_url).open().sign_in(person.username, E2E_PASSWORD)
    expect(Header(page).who_am_i).to_be_visible()


def switch_to(page: Page, base_url: str, person: Person) -> None:
    Header(page).sign_out()
    sign_in(page, base_url, person)


def portal_incident(org: Org) -> Ticket:
    return ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Nobody on the floor can reach the licensing app",
        affected_people=[org.employee, org.colleague],  # both Service Oklahoma
    )


def test_a_form_opened_while_the_page_still_loads_arrives_once_the_page_is_ready(
    live_server, page: Page, people
) -> None:
    """A quick agent opens "Assign" before the page's scripts have run (a slow connection, a
    busy server): the form still arrives, instead of "Loading…" for ever."""
    incident = portal_incident(people)
    sign_in(page, live_server.url, people.desk)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/htmx-2.min*.js", hold)
    page.goto(f"{live_server.url}/workspace/tickets/{incident.number}/", wait_until="commit")
    page.locator("summary", has_text="Assign").first.click()
    expect(page.get_by_test_id("folded-assign")).to_contain_text("Loading")
    assert held, "htmx was not held back: the details did not open before it ran"
    for route in held:
        route.continue_()
    page.unroute("**/htmx-2.min*.js")
    expect(AgentTicketPage(page).form("assign").get_by_label("Assignee")).to_be_visible()


def test_triage_assign_escalate_resolve_back_and_close(live_server, page: Page, people) -> None:
    incident = portal_incident(people)
    sign_in(page, live_server.url, people.desk)
    ticket = AgentTicketPage(page).open(live_server.url, incident.number)
    expect(ticket.proposed_impact).to_contain_text("Agency")
    ticket.choose("Service", "Network")
    ticket.choose("Impact", "Agency")
    ticket.choose("Severity", "Outage")
    expect(ticket.preview.get_by_test_id("matrix-priority")).to_have_text("Priority 1")
    expect(ticket.preview.get_by_test_id("proposed-group")).to_have_text("Network")
    expect(ticket.preview).to_contain_text("4 hours")
    ticket.save_triage()
    expect(ticket.badge("priority")).to_have_text("Priority 1")
    expect(ticket.badge("group")).to_contain_text("Network")
    expect(ticket.clocks.get_by_test_id("clock-resolution")).to_contain_text("4 hours")
    expect(ticket.clocks.get_by_test_id("clock-resolution")).to_contain_text("due")

    switch_to(page, live_server.url, people.network)
    ticket.open(live_server.url, incident.number)
    ticket.escalate("Needs the vendor's engineer")
    expect(ticket.badge("group")).to_contain_text("Service Lead")
    expect(page.get_by_test_id("timeline")).to_contain_text("Needs the vendor's engineer")
    ticket.resolve_to_desk("Vendor replaced the switch")
    expect(ticket.badge("state")).to_have_text("Resolved")
    expect(ticket.badge("group")).to_contain_text("Service Desk")

    switch_to(page, live_server.url, people.desk)
    page.goto(f"{live_server.url}/workspace/queues/to-verify/")
    page.get_by_role("link", name=incident.number).click()
    ticket.change_state("Closed")
    expect(ticket.badge("state")).to_have_text("Closed")
    actions = set(Ticket.objects.get(pk=incident.pk).history.values_list("action", flat=True))
    assert {"ticket.escalate", "ticket.resolve_to_desk", "ticket.closed"} <= actions


def test_a_task_for_the_right_team_blocks_closing(live_server, page: Page, people) -> None:
    incident = portal_incident(people)
    ticket_triage(incident, actor=people.desk, version=None, changes={}, group=people.desk_group)
    sign_in(page, live_server.url, people.desk)
    ticket = AgentTicketPage(page).open(live_server.url, incident.number)
    ticket.add_task("Network", "Replace the switch in closet B")
    expect(ticket.tasks).to_have_count(1)
    expect(ticket.tasks).to_contain_text("Replace the switch")
    ticket.change_state("Resolved", note="Works again")
    expect(ticket.error("to")).to_contain_text("still has open tasks")
    assert Ticket.objects.get(pk=incident.pk).state == TicketState.ASSIGNED
    task = Ticket.objects.get(kind=TicketKind.TASK)
    assert task.assignment_group == people.network_group


def test_two_agents_one_ticket_the_second_save_is_refused(
    live_server, browser: Browser, page: Page, people
) -> None:
    incident = portal_incident(people)
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    other.set_default_timeout(10_000)
    network_page = other.new_page()
    try:
        sign_in(network_page, live_server.url, people.network)
        theirs = AgentTicketPage(network_page).open(live_server.url, incident.number)
        sign_in(page, live_server.url, people.desk)
        mine = AgentTicketPage(page).open(live_server.url, incident.number)
        expect(mine.also_viewing).to_contain_text("Network")
        # The first agent's page learns of the second at its next heartbeat (the keyed beat
        # sees a change and takes the full road).
        expect(theirs.also_viewing).to_contain_text("Desk", timeout=15_000)

        theirs.choose("Impact", "Multi agency")
        theirs.choose("Severity", "Outage")
        theirs.save_triage()
        expect(theirs.badge("priority")).to_have_text("Priority 1")

        mine.choose("Impact", "Individual")
        mine.choose("Channel", "Phone")
        mine.form("triage").get_by_label("Reason for a different priority").fill("Caller says")
        mine.save_triage()
        expect(mine.stale).to_contain_text("Someone else changed this ticket")
        expect(mine.stale).to_contain_text("Network")
        row = mine.stale.locator("tr", has_text="Impact")
        expect(row.get_by_test_id("stale-now")).to_have_text("Multi agency")
        expect(row.get_by_test_id("stale-yours")).to_have_text("Individual")
        triage = mine.form("triage")
        expect(triage.get_by_label("Channel", exact=True)).to_have_value(Channel.PHONE)
        expect(triage.get_by_label("Reason for a different priority")).to_have_value("Caller says")
        saved = Ticket.objects.get(pk=incident.pk)
        assert (saved.impact, saved.channel) == ("multi_agency", Channel.PORTAL)
        expect(page).to_have_title(re.compile(incident.number))
    finally:
        other.close()
