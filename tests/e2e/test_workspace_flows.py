"""The workspace's flows in the browser: a duplicate tells the first report's
assignee, a redirected ticket shows the other desk's card to the requester, scheduled work ahead
of overdue work needs a supervisor, and an agent's saved views and canned responses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from servicedesk.catalog.models import Category
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_assign, ticket_create
from servicedesk.workspace.models import SavedView
from tests.e2e.pages import (
    AgentTicketPage,
    AgentTicketWork,
    CannedResponsesPage,
    GivePassword,
    NotificationsPage,
    QueuePage,
    TicketPage,
)
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import portal_incident, sign_in, switch_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_duplicate_joins_the_first_report_and_its_assignee_is_told(
    live_server, page: Page, people: Org
) -> None:
    first = portal_incident(people)
    ticket_assign(
        first, actor=people.desk, version=None, group=people.network_group, assignee=people.network
    )
    second = ticket_create(
        actor=people.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Licensing app unreachable from Guymon",
    )
    sign_in(page, live_server.url, people.desk)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, second.number)
    work.mark_duplicate_of(first.number.lower())
    expect(work.ticket.badge("state")).to_have_text("Cancelled")
    expect(page.get_by_test_id("links")).to_contain_text(first.number)

    switch_to(page, live_server.url, people.network)
    expect(NotificationsPage.badge(page)).to_be_visible()
    inbox = NotificationsPage.from_nav(page)
    expect(inbox.unread.first).to_contain_text(f"{second.number} is a duplicate of your")
    AgentTicketPage(page).open(live_server.url, first.number)
    expect(page.get_by_test_id("affected")).to_contain_text("Colleague")


def test_a_redirected_ticket_shows_the_other_desks_card_to_the_requester(
    live_server, page: Page, people: Org, give_password: GivePassword
) -> None:
    give_password(people.employee)
    incident = portal_incident(people)
    sign_in(page, live_server.url, people.desk)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, incident.number)
    work.redirect_to("Tax Commission Help Desk", note="Tax systems are theirs")
    expect(work.ticket.badge("state")).to_have_text("Redirected to another help desk")

    switch_to(page, live_server.url, people.employee)
    TicketPage(page).open(live_server.url, incident.number)
    card = page.get_by_test_id("other-desk")
    expect(card).to_contain_text("Tax Commission Help Desk")
    expect(card).to_contain_text("(405) 555-0101")
    expect(card.get_by_role("link", name="help@tax.example")).to_be_visible()


def test_scheduled_work_ahead_of_overdue_work_needs_and_records_a_supervisor(
    live_server, page: Page, people: Org
) -> None:
    late = ticket_create(
        actor=people.desk,
        requester=people.employee,
        kind=TicketKind.INCIDENT,
        short_description="Switch down in closet B",
        impact="agency",
        severity="outage",
        assignment_group=people.network_group,
    )
    TicketClock.objects.filter(ticket=late, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(hours=1)
    )
    scheduled = ticket_create(
        actor=people.desk,
        requester=people.employee,
        kind=TicketKind.REQUEST,
        short_description="Replace the lab's projectors",
        category=Category.objects.create(
            number=5, name="Scheduled maintenance", is_scheduled_work=True
        ),
        assignment_group=people.network_group,
    )
    sign_in(page, live_server.url, people.network)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, scheduled.number)
    work.take()
    expect(work.ticket.error("approval_reason")).to_contain_text("1 overdue ticket")
    expect(work.ticket.badge("assignee")).to_have_text("Unassigned")

    switch_to(page, live_server.url, people.lead)
    work.ticket.open(live_server.url, scheduled.number)
    work.take(give_to="Network", approval="Lab must be ready for Monday's exams")
    expect(work.ticket.badge("assignee")).to_have_text("Network")
    history = page.get_by_test_id("history")
    history.locator("summary").click()
    expect(history).to_contain_text("approved by Lead for Network: Lab must be ready")
    assert (
        Ticket.objects.get(pk=scheduled.pk)
        .history.filter(action="ticket.scheduled_ahead", actor=people.lead)
        .exists()
    )


def test_an_agents_saved_view_counts_live_renames_and_stays_theirs(
    live_server, browser: Browser, page: Page, people: Org
) -> None:
    portal_incident(people)
    ticket_create(actor=people.employee, kind=TicketKind.INCIDENT, short_description="Printer jams")
    sign_in(page, live_server.url, people.desk)
    queue = QueuePage(page).open(live_server.url, "new")
    queue.search("printer")
    expect(queue.rows).to_have_count(1)
    queue.save_view("Printers")
    expect(queue.nav_view("Printers")).to_contain_text("1")
    ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Printer smokes"
    )
    page.reload()
    expect(queue.nav_view("Printers")).to_contain_text("2")
    expect(queue.rows).to_have_count(2)
    queue.rename_view("Printer trouble")
    expect(page.get_by_role("heading", name="Printer trouble")).to_be_visible()
    view = SavedView.objects.get(owner=people.desk)

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        theirs = other.new_page()
        sign_in(theirs, live_server.url, people.network)
        response = theirs.goto(f"{live_server.url}/workspace/views/{view.pk}/")
        assert response is not None and response.status == 404
    finally:
        other.close()

    queue.delete_view()
    expect(queue.nav_view("Printer trouble")).to_have_count(0)
    assert not SavedView.objects.exists()


def test_a_canned_response_fills_the_reply_box_and_can_be_edited_before_sending(
    live_server, page: Page, people: Org
) -> None:
    incident = portal_incident(people)
    sign_in(page, live_server.url, people.desk)
    canned = CannedResponsesPage(page).open(live_server.url)
    canned.add(
        "Gather details",
        "Hello {{ requester.first_name }}, about {{ ticket.number }}: when did it start?",
    )
    expect(canned.items).to_contain_text("Gather details")

    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, incident.number)
    work.insert_canned("Gather details")
    expected = f"Hello Employee, about {incident.number}: when did it start?"
    expect(work.reply_box).to_have_value(expected)
    work.reply_box.press("End")
    work.reply_box.type(" And which building?")
    work.send()
    expect(page.get_by_test_id("timeline")).to_contain_text(f"{expected} And which building?")
    assert Ticket.objects.get(pk=incident.pk).comments.get().body.endswith("which building?")
    assert Ticket.objects.get(pk=incident.pk).state != TicketState.CLOSED
