"""Held mail in the browser: a mail that claims to come from one of our own employees but failed
the receiving server's DMARC check is held, not filed as theirs. A reviewer opens the mail desk
from the workspace nav, sees why the mail was held and what it says, and releases it (it is filed
as it came) or discards it (nothing is filed); each decision shows in the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import Org, make_person
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.choices import Role
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.tests.conftest import Receiver, mail
from servicedesk.mail.tests.conftest import receiver as receiver  # the real SMTP receiver
from servicedesk.tickets.models import Ticket
from tests.e2e.pages import AgentTicketPage, GivePassword, MailDesk
from tests.e2e.test_workspace import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUR_SERVER = "mx.example.org"
FAILED_DMARC = {
    "Authentication-Results": f"{OUR_SERVER}; spf=fail smtp.mailfrom=example.org; "
    "dmarc=fail (p=reject) header.from=example.org"
}
SPOOF = mail(
    sender="employee@example.org",
    subject="Please reset my password",
    body="I am locked out of the licensing app since this morning.",
    headers=FAILED_DMARC,
)


@pytest.fixture
def held(org: Org, receiver: Receiver, give_password: GivePassword) -> InboundMessage:
    """The spoofed mail, through the desk's SMTP receiver and the ingest behind it."""
    Mailbox.objects.create(
        name="Service desk",
        address="desk@example.org",
        agency=org.agency,
        assignment_group=org.desk_group,
        authserv_id=OUR_SERVER,
    )
    give_password(org.desk, org.network)
    row = receiver.send(SPOOF)
    assert row.state == InboundState.QUARANTINED, row.reason
    assert not Ticket.objects.exists()
    return row


def test_a_reviewer_releases_a_held_spoof_and_it_is_filed_as_it_came(
    live_server, page: Page, org: Org, held: InboundMessage
) -> None:
    sign_in(page, live_server.url, org.desk)
    desk = MailDesk(page)
    expect(desk.nav_link).to_contain_text("Held mail 1")
    desk.open_from_nav(live_server.url)
    message = desk.held_from("employee@example.org")
    expect(message.get_by_test_id("held-reason")).to_contain_text(
        "Our own domain, but failed sender authentication"
    )
    expect(message).to_contain_text("Please reset my password")
    expect(message).to_contain_text("locked out of the licensing app")

    desk.release("employee@example.org", "Emma confirmed by phone")
    ticket = Ticket.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"Released: processed on {ticket.number}")
    expect(desk.held).to_have_count(0)
    expect(desk.decisions.first).to_contain_text("Released")
    expect(desk.decisions.first).to_contain_text("Emma confirmed by phone")
    expect(desk.nav_link).to_contain_text("Held mail 0")

    desk.open_ticket_of_decision()
    expect(page).to_have_url(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    expect(AgentTicketPage(page).badge("state")).to_be_visible()
    expect(page.get_by_text("locked out of the licensing app").first).to_be_visible()
    assert ticket.requester == org.employee


def test_a_reviewer_discards_a_held_spoof_and_nothing_is_filed(
    live_server, page: Page, org: Org, held: InboundMessage
) -> None:
    sign_in(page, live_server.url, org.desk)
    desk = MailDesk(page).open_from_nav(live_server.url)
    desk.discard("employee@example.org", "Phishing")
    expect(page.get_by_role("status")).to_contain_text("Discarded.")
    expect(desk.held).to_have_count(0)
    expect(desk.decisions.first).to_contain_text("Discarded")
    expect(desk.decisions.first).to_contain_text("Phishing")
    expect(desk.decisions.first.get_by_test_id("review-ticket")).to_have_count(0)
    assert not Ticket.objects.exists()
    held.refresh_from_db()
    assert held.state == InboundState.DISCARDED


def test_who_may_not_review_sees_no_held_mail_link(
    live_server, page: Page, org: Org, held: InboundMessage, give_password: GivePassword
) -> None:
    outsider = make_person("night", Role.AGENT, org.fiber)  # in no group: knows little
    give_password(outsider)
    sign_in(page, live_server.url, outsider)
    page.goto(f"{live_server.url}/workspace/")
    expect(page.get_by_test_id("nav-counts")).to_be_visible()
    expect(MailDesk(page).nav_link).to_have_count(0)
