"""SLA clocks in the browser: a call prioritized on entry, an incident converted to a service
request, calendars set up by people rather than JSON, and explanations the requester and the
admin can read."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import AgentTicketPage, LogCallPage
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def district_chart() -> dict[str, PriorityCode]:
    break_fix = Category.objects.create(number=1, name="Service Request")
    access = Category.objects.create(number=2, name="Security Access")
    return {
        "emergency": PriorityCode.objects.create(
            category=break_fix, code=1, name="Emergency", target="4 hours"
        ),
        "access": PriorityCode.objects.create(
            category=access, code=3, name="Instructional", target="3 days"
        ),
    }


def acknowledge_rule() -> None:
    SlaRule.objects.create(
        metric=Metric.ACKNOWLEDGE,
        position=10,
        name="Acknowledge within 24 hours",
        target_kind=TargetKind.DURATION,
        minutes=24 * 60,
    )


def test_the_care_center_logs_a_call_prioritized_on_entry(
    live_server, page: Page, people: Org
) -> None:
    codes = district_chart()
    acknowledge_rule()
    sign_in(page, live_server.url, people.desk)
    call = LogCallPage(page).open(live_server.url)
    call.caller("Colleague")
    call.describe("Cannot reach the grade book")
    call.choose("Category", "2 – Security Access")
    call.choose("Priority code", "1 Service Request: 1 – Emergency (4 hours)")
    call.submit()
    expect(call.error("priority_code")).to_contain_text("not one of category 2 – Security Access")
    call.caller("Colleague")
    call.choose("Priority code", "2 Security Access: 3 – Instructional (3 days)")
    call.submit()
    ticket = AgentTicketPage(page)
    expect(ticket.badge("state")).to_be_visible()
    filed = Ticket.objects.get()
    assert (filed.category, filed.priority_code) == (codes["access"].category, codes["access"])
    expect(ticket.clocks.get_by_test_id("clock-acknowledge")).to_contain_text("24 hours")
    expect(ticket.clocks.get_by_test_id("clock-categorize")).to_have_count(0)


def test_an_agent_converts_an_incident_to_a_request_and_its_clocks_follow(
    live_server, page: Page, people: Org
) -> None:
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=5,
        name="Service requests: 5 business days",
        ticket_kind=TicketKind.REQUEST,
        target_kind=TargetKind.BUSINESS_DAYS,
        days=5,
    )
    incident = ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Need a new laptop"
    )
    sign_in(page, live_server.url, people.desk)
    ticket = AgentTicketPage(page).open(live_server.url, incident.number)
    expect(ticket.badge("kind")).to_have_text("Incident")
    ticket.convert("a service request", reason="An order, not a break")
    expect(ticket.badge("kind")).to_have_text("Service request")
    resolution = ticket.clocks.get_by_test_id("clock-resolution")
    expect(resolution).to_contain_text("5 business days")
    resolution.get_by_text("Timeline").click()
    expect(resolution).to_contain_text("re-planned from submission as a service request")
    page.get_by_test_id("history").locator("summary").click()
    expect(page.get_by_test_id("history")).to_contain_text("An order, not a break")
    expect(page.locator("h1 .ticket-number")).to_have_text(incident.number)
