"""SLA clocks in the browser: a call prioritized on entry, an incident converted to a service
request, calendars set up by people rather than JSON, and explanations the requester and the
admin can read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicedesk.catalog.models import Category, PriorityCode, PriorityCodeTarget
from servicedesk.conftest import Org, make_person
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.directory.choices import Role
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition
from tests.e2e.pages import (
    E2E_PASSWORD,
    AgentTicketPage,
    CalendarAdmin,
    GivePassword,
    HolidayImportPage,
    LogCallPage,
    LoginPage,
    SlaSimulator,
    TicketPage,
)
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import sign_in

WEEKDAYS = {str(day): [["07:00", "17:00"]] for day in range(5)}

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def district_chart() -> dict[str, PriorityCode]:
    break_fix = Category.objects.create(number=1, name="Service Request")
    access = Category.objects.create(number=2, name="Security Access")
    emergency = PriorityCode.objects.create(category=break_fix, code=1, name="Emergency")
    instructional = PriorityCode.objects.create(category=access, code=3, name="Instructional")
    # Each code carries its own resolution target (the chart's "4 hours", "3 business days").
    PriorityCodeTarget.objects.create(
        priority_code=emergency,
        metric=Metric.RESOLUTION,
        target_kind=TargetKind.DURATION,
        minutes=4 * 60,
    )
    PriorityCodeTarget.objects.create(
        priority_code=instructional,
        metric=Metric.RESOLUTION,
        target_kind=TargetKind.BUSINESS_DAYS,
        days=3,
    )
    return {"emergency": emergency, "access": instructional}


def acknowledge_rule() -> None:
    SlaRule.objects.create(
        metric=Metric.ACKNOWLEDGE,
        position=10,
        name="Acknowledge within 24 hours",
        target_kind=TargetKind.DURATION,
        minutes=24 * 60,
    )


def test_the_care_center_logs_a_call_prioritized_on_entry(
    live_server, page: Page, people: Org
) -> None:
    codes = district_chart()
    acknowledge_rule()
    sign_in(page, live_server.url, people.desk)
    call = LogCallPage(page).open(live_server.url)
    call.caller("Colleague")
    call.describe("Cannot reach the grade book")
    call.choose("Category", "2 – Security Access")
    # Only category 2's codes are offered (a mismatch is refused by the server as well).
    expect(call.offered("Priority code")).to_have_text(
        ["---------", "2 Security Access: 2-3 – Instructional (3 business days)"]
    )
    call.choose("Priority code", "2 Security Access: 2-3 – Instructional (3 business days)")
    call.submit()
    ticket = AgentTicketPage(page)
    expect(ticket.badge("state")).to_be_visible()
    filed = Ticket.objects.get()
    assert (filed.category, filed.priority_code) == (codes["access"].category, codes["access"])
    expect(ticket.clocks.get_by_test_id("clock-acknowledge")).to_contain_text("24 hours")
    expect(ticket.clocks.get_by_test_id("clock-categorize")).to_have_count(0)


def test_an_agent_converts_an_incident_to_a_request_and_its_clocks_follow(
    live_server, page: Page, people: Org
) -> None:
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=5,
        name="Service requests: 5 business days",
        ticket_kind=TicketKind.REQUEST,
        target_kind=TargetKind.BUSINESS_DAYS,
        days=5,
    )
    incident = ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Need a new laptop"
    )
    sign_in(page, live_server.url, people.desk)
    ticket = AgentTicketPage(page).open(live_server.url, incident.number)
    expect(ticket.badge("kind")).to_have_text("Incident")
    ticket.convert("a service request", reason="An order, not a break")
    expect(ticket.badge("kind")).to_have_text("Service request")
    resolution = ticket.clocks.get_by_test_id("clock-resolution")
    expect(resolution).to_contain_text("5 business days")
    resolution.get_by_text("Timeline").click()
    expect(resolution).to_contain_text("re-planned from submission as a service request")
    page.get_by_test_id("history").locator("summary").click()
    expect(page.get_by_test_id("history")).to_contain_text("An order, not a break")
    expect(page.locator("h1 .ticket-number")).to_have_text(incident.number)


def test_the_requester_reads_that_the_ticket_waits_for_the_vendor(
    live_server, page: Page, people: Org, give_password: GivePassword
) -> None:
    acknowledge_rule()
    incident = ticket_create(
        actor=people.employee, kind=TicketKind.INCIDENT, short_description="Copier jams"
    )
    ticket_transition(incident, actor=people.desk, version=None, to=TicketState.AWAITING_VENDOR)
    give_password(people.employee)
    sign_in(page, live_server.url, people.employee)
    TicketPage(page).open(live_server.url, incident.number)
    expect(page.get_by_test_id("next-step")).to_contain_text(
        "On hold: waiting for the vendor. The clock is paused until then."
    )


def admin_signs_in(page: Page, base_url: str, org: Org, give_password: GivePassword) -> None:
    admin = make_person("root", Role.ADMIN, org.employee.location)  # type: ignore[arg-type]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    give_password(admin)
    LoginPage(page, base_url).open().sign_in("root", E2E_PASSWORD)
    page.wait_for_url("**/workspace/")


def test_the_simulator_takes_the_repeated_hour_and_explains_bad_pauses(
    live_server, page: Page, org: Org, give_password: GivePassword
) -> None:
    BusinessCalendar.objects.create(
        name="Around the clock", time_zone="America/Chicago", weekly_hours=WEEKDAYS, is_24x7=True
    )
    admin_signs_in(page, live_server.url, org, give_password)
    simulator = SlaSimulator(page).open(live_server.url)
    simulator.fill("Around the clock", 15, "2025-11-02T01:30")
    simulator.read_repeated_hour_as("The later instant")
    simulator.simulate()
    expect(simulator.due).to_have_text("Sun 2 Nov 2025 01:45 CST")
    expect(simulator.notes).to_contain_text("2025-11-02 01:30 happens twice in America/Chicago")
    simulator.fill(
        "Around the clock", 15, "2025-11-02T01:30", pauses="2025-11-02 03:00 / 2025-11-02 02:00"
    )
    simulator.simulate()
    expect(simulator.errors).to_contain_text("Pause line 1 ends")
    expect(simulator.errors).to_contain_text("put the start first")
    expect(simulator.due).to_have_count(0)


def test_an_admin_sets_hours_a_winter_break_and_chosen_holidays_and_sees_30_days(
    live_server, page: Page, org: Org, give_password: GivePassword
) -> None:
    district = BusinessCalendar.objects.create(
        name="District", time_zone="America/Chicago", weekly_hours=WEEKDAYS
    )
    today = timezone.localdate()
    start, end = today + timedelta(days=3), today + timedelta(days=9)
    admin_signs_in(page, live_server.url, org, give_password)
    calendar = CalendarAdmin(page).open(live_server.url, district.pk)
    calendar.hours("Friday", "7:00 to 3")
    calendar.save_and_continue()
    expect(calendar.errors).to_contain_text("Friday: “7:00 to 3” is not a time range")
    calendar.hours("Friday", "07:00–12:00")
    calendar.hours("Monday", "07:00–12:00, 13:00–17:00")
    calendar.add_closure("Winter break", start.isoformat(), end.isoformat())
    calendar.save_and_continue()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(calendar.preview_days).to_have_count(30)
    for offset in range(3, 10):
        expect(calendar.preview_days.nth(offset)).to_contain_text("closed")
        expect(calendar.preview_days.nth(offset)).to_contain_text("Winter break")
    first_open = next(n for n in range(10, 17) if (today + timedelta(days=n)).weekday() in (0, 4))
    day = today + timedelta(days=first_open)
    expected = "07:00–12:00, 13:00–17:00" if day.weekday() == 0 else "07:00–12:00"
    expect(calendar.preview_days.nth(first_open)).to_contain_text(expected)

    holidays = HolidayImportPage(page).open(live_server.url, district.pk)
    holidays.ask("US", "TX", today.year + 1, today.year + 1)
    expect(holidays.holiday("Confederate Memorial Day")).to_be_checked()
    holidays.holiday("Confederate Memorial Day").uncheck()
    holidays.holiday("Texas Independence Day").uncheck()
    holidays.keep_ticked()
    expect(page.locator(".messagelist")).to_contain_text("Added")
    names = set(district.closures.values_list("name", flat=True))
    assert "Thanksgiving Day" in names and "Winter break" in names
    assert not names & {"Confederate Memorial Day", "Texas Independence Day"}
