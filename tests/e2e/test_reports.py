"""The reports in the browser: a manager filters the dashboard by group and clicks a bar to the
tickets it counts; an agent of one agency sees only that agency's numbers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.conftest import Org, make_person
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.choices import Role
from servicedesk.reports.tests.known_history import History, build_history
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES
from tests.e2e.pages import (
    E2E_PASSWORD,
    DrillDownList,
    GivePassword,
    Header,
    LoginPage,
    ReportsDashboard,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(org: Org, give_password: GivePassword) -> History:
    known = build_history(org, count=40)
    give_password(known.agency_agent)
    return known


def sign_in(page: Page, base_url: str, username: str) -> None:
    LoginPage(page, base_url).open().sign_in(username, E2E_PASSWORD)
    expect(Header(page).who_am_i).to_be_visible()


def old_open_tickets(**condition: object) -> set[str]:
    week_ago = timezone.now() - timedelta(days=7)
    return set(
        Ticket.objects.filter(
            state__in=OPEN_STATES, created_at__lte=week_ago, **condition
        ).values_list("number", flat=True)
    )


def test_a_manager_filters_by_group_and_clicks_a_bar_to_its_tickets(
    page: Page, live_server: object, org: Org, history: History, give_password: GivePassword
) -> None:
    base_url = str(live_server)
    manager = make_person("manager", Role.MANAGER, org.fiber)
    give_password(manager)
    sign_in(page, base_url, "manager")
    dashboard = ReportsDashboard(page).open(base_url)
    expect(dashboard.chart("backlog")).to_be_visible()
    expect(dashboard.table("backlog")).to_be_visible()

    dashboard.filter_by_group("Network")
    expected = old_open_tickets(assignment_group=org.network_group)
    assert expected, "the known history has old open tickets in the Network group"
    assert dashboard.figure_in_table("backlog", "Over 7 days") == len(expected)

    dashboard.click_bar("backlog", index=2)
    expect(page).to_have_url(re.compile(r"figure=backlog.*key=over_7"))
    assert DrillDownList(page).numbers() == expected


def test_an_agent_of_one_agency_sees_only_that_agencys_numbers(
    page: Page, live_server: object, org: Org, history: History
) -> None:
    base_url = str(live_server)
    sign_in(page, base_url, history.agency_agent.username)
    dashboard = ReportsDashboard(page).open(base_url)
    expect(dashboard.table("backlog")).to_be_visible()
    theirs = old_open_tickets(agency=org.other_agency) | old_open_tickets(
        assignment_group=history.agency_group
    )
    assert dashboard.figure_in_table("backlog", "Over 7 days") == len(theirs)
    assert len(theirs) < len(old_open_tickets())

    dashboard.click_bar("backlog", index=2)
    expect(page).to_have_url(re.compile(r"figure=backlog.*key=over_7"))
    assert DrillDownList(page).numbers() == theirs
