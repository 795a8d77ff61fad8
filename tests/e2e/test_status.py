"""System status in the browser: the home line, the status page, and joining a declared outage
from "Something broken?" instead of filing a new ticket."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.services import maintenance_schedule, status_entry_declare
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import (
    E2E_PASSWORD,
    Deflection,
    GivePassword,
    LoginPage,
    PortalHome,
    StatusPage,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def outage(org: Org, give_password: GivePassword) -> Ticket:
    give_password(org.employee)
    email = Service.objects.create(name="Email and calendar", default_group=org.desk_group)
    incident = ticket_create(
        actor=org.desk,
        requester=org.desk,
        kind=TicketKind.INCIDENT,
        short_description="Mail relay queue full",
        service=email,
        impact=Impact.MULTI_AGENCY,
        severity=Severity.DEGRADATION,
        assignee=org.desk,
        assignment_group=org.desk_group,
    )
    status_entry_declare(
        actor=org.desk,
        service=email,
        kind=StatusKind.DEGRADATION,
        title="Email delivery delayed",
        message="Mail arrives up to an hour late.",
        incident=incident,
    )
    start = timezone.now() + timedelta(days=2)
    maintenance_schedule(
        actor=org.desk,
        service=org.service,
        title="Core switch upgrade",
        message="Short drops.",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    return incident


def test_join_a_declared_outage_instead_of_filing(
    live_server, page: Page, org: Org, outage: Ticket
) -> None:
    LoginPage(page, live_server.url).open().sign_in(org.employee.username, E2E_PASSWORD)
    home = PortalHome(page).open(live_server.url)
    expect(home.system_status).to_contain_text("Email and calendar: degraded since")
    expect(home.system_status).to_contain_text("1 planned maintenance this week")

    form = home.something_broken()
    form.short_description.press_sequentially("My email is very slow")
    deflection = Deflection(page)
    expect(deflection.panel).to_contain_text("Is this your issue?")
    expect(deflection.known_issues).to_contain_text("Email delivery delayed")
    deflection.add_me_as_affected()

    expect(page).to_have_url(re.compile(rf"/portal/tickets/{outage.number}/$"))
    expect(page.get_by_role("status").first).to_contain_text(
        f"You are listed as affected by {outage.number}"
    )
    assert org.employee in outage.affected_people.all()
    assert Ticket.objects.count() == 1  # no new ticket was filed


def test_the_status_page_shows_the_outage_and_planned_maintenance(
    live_server, page: Page, org: Org, outage: Ticket
) -> None:
    LoginPage(page, live_server.url).open().sign_in(org.employee.username, E2E_PASSWORD)
    page.get_by_test_id("nav-status").click()
    status = StatusPage(page)
    expect(status.current).to_contain_text("Email delivery delayed")
    expect(status.current).to_contain_text("Mail arrives up to an hour late.")
    expect(status.planned).to_contain_text("Core switch upgrade")
    # On a phone the home's status line leads there, and nothing is wider than the screen.
    page.set_viewport_size({"width": 375, "height": 800})
    home = PortalHome(page).open(live_server.url)
    home.system_status.get_by_role("link", name="See system status").click()
    expect(status.planned).to_contain_text("Core switch upgrade")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
