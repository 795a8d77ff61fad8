"""The priority-code lists in the browser (the school district's SLA chart): a code belongs to one
category, so once the agent chooses a category, the triage form and Log a call offer only that
category's codes; a code chosen before that no longer fits is cleared. (The server still refuses
a code of another category beside the field, for a browser without scripts: see the workspace's
tests.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import AgentTicketPage, LogCallPage
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chart() -> dict[str, PriorityCode]:
    break_fix = Category.objects.create(number=1, name="Break fix")
    access = Category.objects.create(number=2, name="Security access")
    return {
        "emergency": PriorityCode.objects.create(category=break_fix, code=1, name="Emergency"),
        "urgent": PriorityCode.objects.create(category=break_fix, code=2, name="Urgent"),
        "instructional": PriorityCode.objects.create(category=access, code=3, name="Instructional"),
        "account": PriorityCode.objects.create(category=access, code=4, name="New account"),
    }


def test_triage_offers_only_the_chosen_categorys_codes(
    live_server, page: Page, people: Org, chart: dict[str, PriorityCode]
) -> None:
    incident = ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Locked out of HAC"
    )
    sign_in(page, live_server.url, people.desk)
    ticket = AgentTicketPage(page).open(live_server.url, incident.number)
    codes = ticket.offered("Priority code")
    expect(codes).to_have_count(5)  # no category yet: every code, and the blank

    ticket.choose("Category", "2 – Security access")
    expect(codes).to_have_text(
        ["---------", "2-3 – Instructional (no defined SLA)", "2-4 – New account (no defined SLA)"]
    )
    ticket.choose("Priority code", "2-4 – New account (no defined SLA)")
    ticket.choose("Category", "1 – Break fix")
    expect(codes).to_have_text(
        ["---------", "1-1 – Emergency (no defined SLA)", "1-2 – Urgent (no defined SLA)"]
    )
    code_list = ticket.form("triage").get_by_label("Priority code", exact=True)
    expect(code_list).to_have_value("")  # New account is not a break-fix code: cleared

    ticket.choose("Category", "2 – Security access")
    ticket.choose("Priority code", "2-3 – Instructional (no defined SLA)")
    ticket.save_triage()
    expect(page.get_by_role("status")).to_contain_text("Triage saved.")
    saved = Ticket.objects.get(pk=incident.pk)
    assert (saved.category, saved.priority_code) == (
        chart["instructional"].category,
        chart["instructional"],
    )


def test_log_a_call_offers_only_the_chosen_categorys_codes(
    live_server, page: Page, people: Org, chart: dict[str, PriorityCode]
) -> None:
    sign_in(page, live_server.url, people.desk)
    call = LogCallPage(page).open(live_server.url)
    codes = call.offered("Priority code")
    expect(codes).to_have_count(5)
    call.caller("Colleague")
    call.describe("Needs an account for the grade book")
    call.choose("Category", "2 – Security access")
    expect(codes).to_have_text(
        [
            "---------",
            "2 Security access: 2-3 – Instructional (no defined SLA)",
            "2 Security access: 2-4 – New account (no defined SLA)",
        ]
    )
    call.choose("Priority code", "2 Security access: 2-4 – New account (no defined SLA)")
    call.submit()
    expect(AgentTicketPage(page).badge("state")).to_be_visible()
    filed = Ticket.objects.get()
    assert (filed.category, filed.priority_code) == (
        chart["account"].category,
        chart["account"],
    )
