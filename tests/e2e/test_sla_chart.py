"""The school district's SLA chart in the browser: triage accepts only a code of the ticket's
category; the admin shows which target wins and refuses a rule that can never fire; renaming the
scheduled-work category changes nothing; and scheduled work assigned ahead of overdue work asks
for a supervisor — the group's own lead approves, and the queue shows the approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.catalog.models import Category, PriorityCode, PriorityCodeTarget
from servicedesk.conftest import Org, make_person
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.choices import Role
from servicedesk.sla.choices import ClockState, Metric, TargetKind
from servicedesk.sla.models import SlaRule, TicketClock
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create
from tests.e2e.pages import AgentTicketWork, GivePassword, QueuePage, SlaChartAdmin
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import sign_in, switch_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chart() -> dict[str, PriorityCode]:
    break_fix = Category.objects.create(number=1, name="Break fix")
    access = Category.objects.create(number=2, name="Security access")
    emergency = PriorityCode.objects.create(category=break_fix, code=1, name="Emergency")
    PriorityCodeTarget.objects.create(
        priority_code=emergency,
        metric=Metric.RESOLUTION,
        target_kind=TargetKind.DURATION,
        minutes=240,
    )
    instructional = PriorityCode.objects.create(category=access, code=3, name="Instructional")
    PriorityCodeTarget.objects.create(
        priority_code=instructional,
        metric=Metric.RESOLUTION,
        target_kind=TargetKind.BUSINESS_DAYS,
        days=3,
    )
    return {"emergency": emergency, "instructional": instructional}


def test_triage_offers_only_the_codes_of_the_tickets_category(
    live_server, page: Page, people: Org, chart: dict[str, PriorityCode]
) -> None:
    """A code of another category is refused beside the field by the server (see the
    workspace's tests); the browser does not even offer one."""
    request = ticket_create(
        actor=people.desk,
        requester=people.employee,
        kind=TicketKind.REQUEST,
        channel=Channel.PHONE,
        short_description="Unlock the HAC login",
        category=chart["instructional"].category,
    )
    sign_in(page, live_server.url, people.desk)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, request.number)
    expect(work.ticket.offered("Priority code")).to_have_text(
        ["---------", "2-3 – Instructional (3 business days)"]
    )
    work.ticket.choose("Priority code", "2-3 – Instructional (3 business days)")
    work.ticket.save_triage()
    expect(page.get_by_role("status")).to_contain_text("Triage saved.")
    assert Ticket.objects.get(pk=request.pk).priority_code == chart["instructional"]


def test_the_admin_shows_which_target_wins_and_refuses_a_rule_that_can_never_fire(
    live_server, page: Page, people: Org, give_password: GivePassword, chart
) -> None:
    admin = make_person("admin", Role.ADMIN, people.fiber)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    give_password(admin)
    catch_all = SlaRule.objects.create(
        metric=Metric.RESPONSE,
        position=900,
        name="Everything else: 8 hours",
        target_kind=TargetKind.DURATION,
        minutes=480,
    )
    sign_in(page, live_server.url, admin)
    screen = SlaChartAdmin(page, live_server.url)
    screen.explain(Ticket_kind="Service request", Priority_code="1-1 – Emergency (4 hours)")
    expect(screen.verdict("resolution")).to_contain_text("4 hours")
    expect(screen.verdict("resolution")).to_contain_text(
        "Priority code 1-1 – Emergency (4 hours) sets this target itself."
    )
    expect(screen.verdict("response")).to_contain_text(
        "Rule #900 “Everything else: 8 hours” is the first rule that matches"
    )

    screen.add_rule(
        metric="Response",
        position=910,
        name="Too late",
        target="Duration (minutes of business time)",
        minutes=60,
    )
    expect(screen.errors.first).to_be_visible()
    expect(page.get_by_text(f"rule #900 “{catch_all.name}” comes first")).to_be_visible()
    assert not SlaRule.objects.filter(name="Too late").exists()


@pytest.fixture
def overdue_and_scheduled(people: Org) -> tuple[Ticket, Category]:
    late = ticket_create(
        actor=people.desk,
        requester=people.employee,
        kind=TicketKind.INCIDENT,
        short_description="Switch down in closet B",
        assignment_group=people.network_group,
    )
    TicketClock.objects.filter(ticket=late, metric=Metric.RESOLUTION).update(
        state=ClockState.RUNNING, due_at=timezone.now() - timedelta(hours=1)
    )
    projects = Category.objects.create(
        number=5, name="Scheduled maintenance", is_scheduled_work=True
    )
    scheduled = ticket_create(
        actor=people.desk,
        requester=people.employee,
        kind=TicketKind.REQUEST,
        short_description="Replace the lab's projectors",
        category=projects,
        assignment_group=people.network_group,
    )
    return scheduled, projects


def test_an_agents_plain_assign_asks_for_approval_and_the_group_lead_gives_it(
    live_server, page: Page, people: Org, give_password: GivePassword, overdue_and_scheduled
) -> None:
    scheduled, _ = overdue_and_scheduled
    tech = make_person("tech", Role.AGENT, people.fiber)
    people.network_group.members.add(tech)
    give_password(tech)
    sign_in(page, live_server.url, tech)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, scheduled.number)
    work.assign(assignee="Tech")
    expect(work.ticket.error("approval_reason")).to_contain_text("1 overdue ticket wait")
    expect(work.ticket.error("approval_reason")).to_contain_text("Network, who leads Network")
    expect(work.ticket.badge("assignee")).to_have_text("Unassigned")

    # Network leads the network group: an agent by role, this group's supervisor.
    switch_to(page, live_server.url, people.network)
    work.ticket.open(live_server.url, scheduled.number)
    work.assign(assignee="Tech", approval="Lab must be ready for Monday's exams")
    expect(work.ticket.badge("assignee")).to_have_text("Tech")
    queue = QueuePage(page).open(live_server.url, "my-groups")
    row = queue.row(scheduled.number)
    expect(row.get_by_test_id("queue-approved-ahead")).to_be_visible()
    expect(row.get_by_test_id("queue-approval")).to_have_text(
        "approved by Network for Tech: Lab must be ready for Monday's exams"
    )


def test_renaming_the_scheduled_work_category_changes_nothing(
    live_server, page: Page, people: Org, give_password: GivePassword, overdue_and_scheduled
) -> None:
    scheduled, projects = overdue_and_scheduled
    admin = make_person("admin", Role.ADMIN, people.fiber)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    give_password(admin)
    sign_in(page, live_server.url, admin)
    SlaChartAdmin(page, live_server.url).rename_category(projects.pk, "Projects and upgrades")
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    assert Category.objects.get(pk=projects.pk).name == "Projects and upgrades"

    page.goto(f"{live_server.url}/workspace/")
    switch_to(page, live_server.url, people.network)
    work = AgentTicketWork(page)
    work.ticket.open(live_server.url, scheduled.number)
    expect(page.get_by_text("Scheduled work", exact=True)).to_be_visible()
    expect(page.locator("summary", has_text="Planned date")).to_be_visible()
    work.take()  # the group's lead takes it: still guarded, so a reason is asked for
    expect(work.ticket.error("approval_reason")).to_contain_text("say why this scheduled work")
