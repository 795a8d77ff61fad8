"""In-app notifications in the browser: an agent's state change reaches the requester's badge,
and she turns off the mail she does not want."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.notifications.models import NotificationPreference
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import (
    E2E_PASSWORD,
    AgentTicketPage,
    GivePassword,
    Header,
    LoginPage,
    NotificationsPage,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(org: Org, give_password: GivePassword) -> Org:
    give_password(org.employee, org.desk)
    return org


def sign_in(page: Page, base_url: str, person: Person) -> None:
    LoginPage(page, base_url).open().sign_in(person.username, E2E_PASSWORD)
    expect(Header(page).who_am_i).to_be_visible()


def test_a_state_change_reaches_the_badge_and_status_mail_can_be_turned_off(
    live_server, page: Page, people: Org
) -> None:
    incident = ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Printer jams"
    )
    sign_in(page, live_server.url, people.desk)
    agent = AgentTicketPage(page).open(live_server.url, incident.number)
    agent.change_state("In progress", note="Looking at it now")
    expect(agent.badge("state")).to_have_text("In progress")
    Header(page).sign_out()

    sign_in(page, live_server.url, people.employee)
    # The acknowledgement and the state change, both unread.
    expect(NotificationsPage.badge(page)).to_contain_text("2")
    inbox = NotificationsPage.from_nav(page)
    expect(inbox.unread).to_have_count(2)
    expect(inbox.unread.first).to_contain_text(f"{incident.number} is now in progress")

    status_mail = inbox.mail_for("Status changes of my tickets")
    expect(status_mail).to_be_checked()
    expect(inbox.mail_for("The resolution notice", exact=False)).to_be_disabled()
    status_mail.uncheck()
    inbox.save_preferences()
    expect(inbox.status).to_have_text("Your e-mail preferences are saved.")
    expect(inbox.mail_for("Status changes of my tickets")).not_to_be_checked()
    expect(inbox.mail_for("Replies on my tickets")).to_be_checked()
    assert not NotificationPreference.objects.get(person=people.employee).email_status_updates

    # Opening it marks it read and leads to the ticket.
    inbox.unread.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/portal/tickets/{incident.number}/")
    expect(NotificationsPage.badge(page)).to_contain_text("1")
