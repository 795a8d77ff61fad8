"""The employee's journey in the state agency's filing procedure in the browser: file, follow,
confirm or dispute, rate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.models import Person
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
)
from tests.e2e.pages import E2E_PASSWORD, GivePassword, Header, LoginPage, PortalHome, TicketPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)")


@pytest.fixture
def people(org: Org, settings, tmp_path: Path, give_password: GivePassword) -> Org:
    settings.MEDIA_ROOT = tmp_path
    give_password(org.employee, org.colleague, org.stranger, org.desk)
    return org


def sign_in(page: Page, base_url: str, person: Person) -> PortalHome:
    LoginPage(page, base_url).open().sign_in(person.username, E2E_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return PortalHome(page).open(base_url)


def resolved_incident(org: Org) -> Ticket:
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Wi-Fi drops"
    )
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    return ticket_transition(
        ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="New access point"
    )


def test_file_an_incident_with_two_affected_people_and_an_attachment(
    live_server, page: Page, people: Org
) -> None:
    SlaRule.objects.create(
        metric=Metric.CATEGORIZE,
        position=1,
        name="Uncategorized portal incidents: 2 hours",
        ticket_kind=TicketKind.INCIDENT,
        channel=Channel.PORTAL,
        only_uncategorized=True,
        target_kind=TargetKind.DURATION,
        minutes=120,
    )
    home = sign_in(page, live_server.url, people.employee)
    expect(home.system_status).to_contain_text("All systems normal")
    form = home.something_broken()
    form.short_description.fill("Printer in room 210 is offline")
    form.description.fill("Nobody on the floor can print since 9:00.")
    # Emma stays affected herself; people of another agency are not hers to find.
    form.add_affected("Colleague")
    expect(form.affected).to_have_count(2)
    form.attach({"name": "error.png", "mimeType": "image/png", "buffer": b"\x89PNG"})
    filed = form.submit()
    expect(filed.number).to_have_text(re.compile(r"^INC\d+$"))
    promises = page.get_by_test_id("target-times")
    expect(promises).to_contain_text("The desk reviews and categorizes it by")
    ticket = Ticket.objects.get()
    assert {p.username for p in ticket.affected_people.all()} == {"employee", "colleague"}
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["error.png"]
    ticket_page = filed.follow()
    expect(ticket_page.state).to_have_text("New")
    expect(page.get_by_test_id("ticket-files")).to_contain_text("error.png")


def test_a_dropped_file_joins_the_chosen_ones(live_server, page: Page, people: Org) -> None:
    form = sign_in(page, live_server.url, people.employee).request_assistance().something_else()
    form.attach({"name": "a.txt", "mimeType": "text/plain", "buffer": b"a"})
    form.drop("b.txt", "b")
    expect(page.locator("[data-file-list] li")).to_have_count(2)
    form.short_description.fill("Two files")
    form.description.fill("See both")
    form.submit()
    expect(page.get_by_test_id("filed-number")).to_be_visible()
    names = Ticket.objects.get().attachments.values_list("original_name", flat=True)
    assert sorted(names) == ["a.txt", "b.txt"]


def test_save_a_request_as_draft_sign_out_resume_and_submit(
    live_server, page: Page, people: Org
) -> None:
    form = sign_in(page, live_server.url, people.employee).request_assistance().something_else()
    form.short_description.fill("Adobe Acrobat Pro")
    form.attach({"name": "quote.pdf", "mimeType": "application/pdf", "buffer": b"%PDF"})
    form.save_as_draft()
    expect(page.get_by_test_id("draft-note")).to_be_visible()
    Header(page).sign_out()
    home = sign_in(page, live_server.url, people.employee)
    expect(home.drafts).to_have_count(1)
    form = home.resume_draft("Adobe Acrobat Pro")
    expect(form.short_description).to_have_value("Adobe Acrobat Pro")
    expect(page.get_by_test_id("staged-files")).to_contain_text("quote.pdf")
    form.description.fill("For editing licence PDFs.")
    filed = form.submit()
    expect(filed.number).to_have_text(re.compile(r"^REQ\d+$"))
    ticket = Ticket.objects.get()
    assert ticket.attachments.get().original_name == "quote.pdf"
    expect(PortalHome(page).open(live_server.url).drafts).to_have_count(0)


def test_an_agents_change_appears_without_reloading(live_server, page: Page, people: Org) -> None:
    ticket = ticket_create(actor=people.employee, kind=TicketKind.INCIDENT, short_description="VPN")
    sign_in(page, live_server.url, people.employee)
    ticket_page = TicketPage(page).open(live_server.url, ticket.number)
    expect(ticket_page.state).to_have_text("New")
    page.evaluate("window.stillTheSamePage = true")
    ticket_assign(ticket, actor=people.desk, version=None, group=people.network_group)
    ticket_transition(ticket, actor=people.desk, version=None, to=TicketState.IN_PROGRESS)
    comment_add(ticket, actor=people.desk, body="Looking at the tunnel now")
    expect(ticket_page.state).to_have_text("In progress", timeout=6_000)
    expect(ticket_page.timeline).to_contain_text("Looking at the tunnel now")
    expect(page.get_by_test_id("ticket-group")).to_have_text("Network")
    assert page.evaluate("window.stillTheSamePage") is True


def test_dispute_a_resolution(live_server, page: Page, people: Org) -> None:
    ticket = resolved_incident(people)
    sign_in(page, live_server.url, people.employee)
    ticket_page = TicketPage(page).open(live_server.url, ticket.number)
    expect(page.get_by_test_id("resolution")).to_contain_text("New access point")
    ticket_page.dispute("It still drops every ten minutes")
    expect(ticket_page.state).to_have_text("In progress")
    expect(ticket_page.timeline).to_contain_text("Reason: It still drops every ten minutes")
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.IN_PROGRESS


def test_confirm_and_answer_the_survey(live_server, page: Page, people: Org) -> None:
    ticket = resolved_incident(people)
    sign_in(page, live_server.url, people.employee)
    ticket_page = TicketPage(page).open(live_server.url, ticket.number)
    ticket_page.confirm()
    expect(ticket_page.state).to_have_text("Closed")
    ticket_page.answer_survey(5, "Fixed within the hour")
    expect(page.get_by_test_id("survey-answered")).to_contain_text("5 out of 5")
    survey = Ticket.objects.get(pk=ticket.pk).satisfaction_survey
    assert (survey.rating, survey.comment) == (5, "Fixed within the hour")


def test_employee_a_gets_404_for_employee_bs_ticket_comment_and_file(
    live_server, page: Page, people: Org
) -> None:
    theirs = ticket_create(
        actor=people.colleague, kind=TicketKind.INCIDENT, short_description="Private"
    )
    comment = comment_add(theirs, actor=people.colleague, body="my home address")
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment = attachment_add(
        theirs, actor=people.colleague, upload=SimpleUploadedFile("id.png", b"png")
    )
    sign_in(page, live_server.url, people.employee)
    for path in (
        f"/portal/tickets/{theirs.number}/",
        f"/portal/tickets/{theirs.number}/live/",
        f"/portal/tickets/{theirs.number}/comments/{comment.pk}/",
        f"/portal/attachments/{attachment.pk}/",
    ):
        response = page.request.get(f"{live_server.url}{path}")
        assert response.status == 404, path
        assert b"my home address" not in response.body()
    page.goto(f"{live_server.url}/portal/tickets/{theirs.number}/")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_payloads_show_as_text_and_no_dialog_opens(live_server, page: Page, people: Org) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    people.colleague.first_name = PAYLOADS[1]
    people.colleague.save()
    payload = " ".join(PAYLOADS)
    form = sign_in(page, live_server.url, people.employee).something_broken()
    form.short_description.fill(payload)
    form.description.fill(payload)
    form.people_search.fill("img")
    expect(page.locator("[data-pick-person]")).to_contain_text(PAYLOADS[1])
    page.locator("[data-pick-person]").first.click()
    expect(form.affected.last).to_contain_text(PAYLOADS[1])
    form.attach(
        {"name": f"{PAYLOADS[1]}.png", "mimeType": "image/png", "buffer": b"p"},
        {"name": f"{PAYLOADS[2]}.txt", "mimeType": "text/plain", "buffer": b"t"},
    )
    expect(page.locator("[data-file-list]")).to_contain_text(PAYLOADS[1])
    form.submit().follow()
    ticket_page = TicketPage(page)
    expect(page.get_by_test_id("ticket-title")).to_have_text(payload)
    expect(page.get_by_test_id("ticket-description")).to_have_text(payload)
    expect(page.get_by_test_id("ticket-files")).to_contain_text(f"{PAYLOADS[1]}.png")
    expect(page.get_by_test_id("ticket-files")).to_contain_text(f"{PAYLOADS[2]}.txt")
    ticket_page.reply(payload, urgent=True)
    expect(ticket_page.timeline).to_contain_text(payload)
    PortalHome(page).open(live_server.url)
    expect(page.get_by_test_id("open-tickets")).to_contain_text(payload)
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_a_forbidden_or_oversized_file_is_refused_and_the_text_kept(
    live_server, page: Page, people: Org, settings
) -> None:
    settings.SERVICEDESK_ATTACHMENT_MAX_BYTES = 1024
    form = sign_in(page, live_server.url, people.employee).request_assistance().something_else()
    form.short_description.fill("Install a tool")
    form.description.fill("The vendor sent an installer.")
    form.attach({"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"})
    form.submit()
    expect(form.error("attachments")).to_contain_text("setup.exe was not attached")
    expect(form.short_description).to_have_value("Install a tool")
    expect(form.description).to_have_value("The vendor sent an installer.")
    form.attach({"name": "dump.log", "mimeType": "text/plain", "buffer": b"x" * 4096})
    form.save_as_draft()
    expect(form.error("attachments")).to_contain_text("dump.log was not attached")
    expect(form.error("attachments")).to_contain_text("at most")
    expect(form.short_description).to_have_value("Install a tool")
    assert not Ticket.objects.exists()


def test_the_portal_works_at_phone_width_and_by_keyboard(
    live_server, page: Page, people: Org
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, people.employee)
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Something broken?").focus()
    page.keyboard.press("Enter")
    # Typing before the page's scripts have run would reach no type-ahead; a person can't.
    page.wait_for_url("**/portal/new/incident/", wait_until="load")
    page.get_by_label("Short description").focus()
    page.keyboard.type("Keyboard only")
    page.get_by_label("Who does this issue affect?").focus()
    page.keyboard.type("Coll")
    expect(page.locator("[data-pick-person]")).to_have_count(1)
    page.keyboard.press("Enter")  # picks the first match instead of submitting
    expect(page.get_by_test_id("chosen-affected").locator("li")).to_have_count(2)
    page.locator("#id_description").focus()
    page.keyboard.type("Typed without a mouse")
    page.get_by_role("button", name="Submit", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("filed-number")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
