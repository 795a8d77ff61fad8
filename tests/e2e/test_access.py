"""Access across agencies: an agent of agency X gets a 404 for agency Y's ticket by URL,
search and bulk action (its number typed in, or sent by a page that no longer matches)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture
from tests.e2e.pages import (
    E2E_PASSWORD,
    AgentTicketPage,
    GivePassword,
    Header,
    LoginPage,
    QueueBulkForm,
    QueuePage,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def settled(page: Page) -> None:
    """Typing in the search box also refreshes the table 300 ms later (htmx): let that land
    before ticking boxes in it."""
    page.wait_for_load_state("networkidle")


@pytest.fixture
def agent_of_x(scoped: Scoped, give_password: GivePassword) -> Person:
    give_password(scoped.x_agent)
    return scoped.x_agent


def test_an_agent_of_agency_x_gets_404_for_agency_ys_ticket(
    live_server, page: Page, scoped: Scoped, agent_of_x: Person
) -> None:
    theirs, ours = scoped.y_ticket, scoped.x_ticket
    LoginPage(page, live_server.url).open().sign_in(agent_of_x.username, E2E_PASSWORD)
    expect(Header(page).who_am_i).to_be_visible()

    # By URL: the same page as for a ticket that does not exist.
    AgentTicketPage(page).open(live_server.url, theirs.number)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text(theirs.short_description)).to_have_count(0)
    AgentTicketPage(page).open(live_server.url, ours.number)
    expect(page.get_by_role("heading", name=ours.number)).to_be_visible()

    # By search: its number finds nothing; our own ticket's number finds ours.
    queue = QueuePage(page).open(live_server.url, "all-open")
    bulk = QueueBulkForm(page)
    queue.search(theirs.number)
    expect(bulk.total).to_have_text("0 tickets")
    expect(queue.rows).to_have_count(0)
    queue.search(ours.number)
    expect(queue.rows).to_have_count(1)
    settled(page)

    # By bulk action: a page sending its number (ours shown) changes nothing and says so.
    bulk.select_as(ours.number, theirs.number)
    bulk.apply("Change state", state="Cancelled", note="Not ours to cancel")
    expect(bulk.messages.filter(has_text=re.compile(r"0 done, 1 not found"))).to_be_visible()
    theirs.refresh_from_db()
    assert theirs.state == TicketState.ASSIGNED
    assert not theirs.comments.exists()

    # Naming it as the parent of our ticket is refused the same way.
    queue.search(ours.number)
    settled(page)
    bulk.select(ours.number)
    bulk.apply("Link to parent", parent=theirs.number)
    expect(bulk.messages.filter(has_text=f"No ticket {theirs.number}.")).to_be_visible()
    assert not theirs.links_in.exists()
