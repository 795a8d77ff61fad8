"""The catalog, the agent's full view and account self-service, in the browser: an employee
asks for a password reset with its own form, for herself and for a colleague; the desk reads the
answers, the 10-minute target, the screenshot and the urgent flag, and answers with a file; a
forgotten password is reset through the link a real SMTP server received."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from servicedesk.catalog.models import Category, RequestType
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.notifications.tests.smtp_server import smtp_server as smtp_server  # fixture
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from tests.e2e.pages import (
    E2E_PASSWORD,
    AgentTicketPage,
    GivePassword,
    Header,
    LoginPage,
    PasswordResetPages,
    PortalHome,
    TicketPage,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT: FilePayload = {
    "name": "error.png",
    "mimeType": "image/png",
    "buffer": b"\x89PNG\r\n\x1a\n",
}


@pytest.fixture
def people(org: Org, settings, tmp_path: Path, give_password: GivePassword) -> Org:
    settings.MEDIA_ROOT = tmp_path
    give_password(org.employee, org.colleague, org.desk)
    return org


@pytest.fixture
def reset(org: Org) -> RequestType:
    """The password reset of the state agency's filing procedure: respond in 10 minutes,
    complete in 20, with its own questions."""
    org.password_reset.default_category = Category.objects.create(number=2, name="Accounts")
    org.password_reset.default_group = org.desk_group
    org.password_reset.save()
    for metric, minutes in ((Metric.RESPONSE, 10), (Metric.RESOLUTION, 20)):
        SlaRule.objects.create(
            metric=metric,
            position=1,
            name=f"Password reset: {minutes} minutes",
            request_type=org.password_reset,
            target_kind=TargetKind.DURATION,
            minutes=minutes,
        )
    return password_reset_form(org.password_reset)


def sign_in(page: Page, base_url: str, person: Person) -> PortalHome:
    LoginPage(page, base_url).open().sign_in(person.username, E2E_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return PortalHome(page).open(base_url)


def test_a_password_reset_from_the_catalog_reaches_the_desk_with_its_answers(
    live_server, page: Page, people: Org, reset: RequestType
) -> None:
    catalog = sign_in(page, live_server.url, people.employee).request_assistance()
    expect(catalog.sections.first).to_contain_text("Accounts")
    form = catalog.search("password").choose("Password reset")
    expect(form.short_description).to_have_value("Password reset")
    # The follow-up question appears only for "Other".
    expect(form.question("other_system")).to_be_hidden()
    page.get_by_label("Which account?").select_option("Other")
    expect(form.question("other_system")).to_be_visible()
    form.submit()
    # Required questions left empty: named beside the field, the rest kept.
    expect(form.error("answer_other_system")).to_have_text("This field is required.")
    expect(form.error("answer_callback")).to_have_text("This field is required.")
    expect(page.get_by_label("Which account?")).to_have_value("Other")
    page.get_by_label("Which other system?").fill("Payroll")
    form.question("callback").get_by_label("Yes").check()
    form.attach(SCREENSHOT)
    filed = form.submit()
    expect(filed.number).to_have_text(re.compile(r"^REQ\d+$"))
    number = filed.number.inner_text()
    Header(page).sign_out()

    sign_in(page, live_server.url, people.desk)
    agent = AgentTicketPage(page).open(live_server.url, number)
    expect(agent.answers).to_contain_text("Which other system?")
    expect(agent.answers).to_contain_text("Payroll")
    expect(agent.page.get_by_test_id("clock-response")).to_contain_text("Target: 10 minutes")
    expect(agent.page.get_by_test_id("clock-resolution")).to_contain_text("Target: 20 minutes")
    # The employee's screenshot: previewed, and opened through the download policy.
    expect(agent.files.get_by_role("img", name="Preview of error.png")).to_be_visible()
    with page.expect_popup() as opened:
        agent.files.get_by_role("img", name="Preview of error.png").click()
    assert opened.value.url.endswith(
        f"/portal/attachments/{Ticket.objects.get().attachments.get().pk}/"
    )
    # The desk answers with a file; the employee opens it.
    agent.reply(
        "Your temporary password is in the attached note.",
        {"name": "how-to.txt", "mimeType": "text/plain", "buffer": b"Sign in, then change it."},
    )
    expect(page.get_by_test_id("comment-file")).to_have_text("how-to.txt")
    Header(page).sign_out()

    sign_in(page, live_server.url, people.employee)
    ticket = TicketPage(page).open(live_server.url, number)
    expect(page.get_by_test_id("answers")).to_contain_text("Payroll")
    with page.expect_download() as download:
        ticket.timeline.get_by_role("link", name="how-to.txt").click()
    assert Path(download.value.path()).read_bytes() == b"Sign in, then change it."


def test_an_employee_files_for_a_colleague(
    live_server, page: Page, people: Org, reset: RequestType
) -> None:
    form = (
        sign_in(page, live_server.url, people.employee)
        .request_assistance()
        .choose("Password reset")
    )
    page.get_by_test_id("chosen-requester").get_by_role("button", name="Remove Employee").click()
    form.pick_person("Requested by", "Colleague")
    page.get_by_label("Which account?").select_option("E-mail")
    form.question("callback").get_by_label("No").check()
    form.submit()
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.requested_by) == (people.colleague, people.employee)
    Header(page).sign_out()
    sign_in(page, live_server.url, people.colleague)
    expect(PortalHome(page).open_tickets).to_contain_text(ticket.number)


def test_urgent_shows_in_the_queue_and_mails_the_assignee(
    live_server, page: Page, people: Org, reset: RequestType, smtp_server: SmtpServer
) -> None:
    from servicedesk.tickets.services import ticket_assign, ticket_create

    ticket = ticket_create(
        actor=people.employee,
        kind=TicketKind.REQUEST,
        short_description="Locked out before payroll",
    )
    ticket_assign(
        ticket, actor=people.desk, version=None, group=people.desk_group, assignee=people.desk
    )
    sign_in(page, live_server.url, people.employee)
    TicketPage(page).open(live_server.url, ticket.number).reply(
        "Payroll closes at noon!", urgent=True
    )
    expect(page.get_by_text("Payroll closes at noon!")).to_be_visible()
    deliver_all_due()
    [mail] = [
        item
        for item in smtp_server.to(people.desk.email)
        if "URGENT" in str(item.message["Subject"])
    ]
    assert "Payroll closes at noon!" in mail.text
    assert f"/workspace/tickets/{ticket.number}/" in mail.text
    Header(page).sign_out()

    sign_in(page, live_server.url, people.desk)
    page.goto(f"{live_server.url}/workspace/queues/my-open/")
    row = page.get_by_test_id("queue-row").filter(has_text=ticket.number)
    expect(row.get_by_test_id("queue-urgent")).to_have_text("Urgent")
    row.get_by_role("link", name=ticket.number).click()
    expect(AgentTicketPage(page).urgent).to_be_visible()


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    live_server, page: Page, people: Org, smtp_server: SmtpServer
) -> None:
    LoginPage(page, live_server.url).open()
    reset_pages = PasswordResetPages(page)
    expect(reset_pages.request_link(people.employee.email)).to_be_visible()
    [mail] = smtp_server.to(people.employee.email)
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.text)
    assert link, mail.text
    page.goto(link.group(0))
    reset_pages.choose("short")
    expect(reset_pages.error()).to_contain_text("too short")
    reset_pages.choose("plum-orbit-57-canvas")
    expect(reset_pages.complete).to_be_visible()
    LoginPage(page, live_server.url).open().sign_in(
        people.employee.username, "plum-orbit-57-canvas"
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
