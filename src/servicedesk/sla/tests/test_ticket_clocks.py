"""Clocks on tickets under the seeds' policy, driven only through the ticket services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import PriorityCode
from servicedesk.demo.organisation import Organisation, load_organisation
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import BusinessCalendar, SlaRule, TicketClock
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import (
    comment_add,
    ticket_create,
    ticket_transition,
    ticket_update,
)


@pytest.fixture
def demo(db: None) -> Organisation:
    return load_organisation()


def clock(ticket: Ticket, metric: Metric) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, metric=metric)


def timeline(ticket: Ticket, metric: Metric) -> list[str]:
    return [event.detail for event in clock(ticket, metric).events.all()]


def p1_incident(demo: Organisation, requester: str) -> Ticket:
    return ticket_create(
        actor=demo.people["desk"],
        requester=demo.people[requester],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Office offline",
        impact=Impact.AGENCY,
        severity=Severity.OUTAGE,
    )


def test_a_p1_at_a_remote_site_must_be_restored_within_8_hours(demo: Organisation) -> None:
    remote = p1_incident(demo, "lnguyen")  # Guymon office: remote, not on state fiber
    restore = clock(remote, Metric.RESOLUTION)
    assert restore.target_label == "8 hours"
    assert restore.due_at == remote.created_at.replace(microsecond=0) + timedelta(hours=8)
    on_fiber = p1_incident(demo, "employee")
    assert clock(on_fiber, Metric.RESOLUTION).target_label == "4 hours"
    assert clock(on_fiber, Metric.RESPONSE).target_label == "15 minutes"


def test_awaiting_vendor_pauses_the_clock_and_says_so(demo: Organisation) -> None:
    ticket = p1_incident(demo, "employee")
    ticket = ticket_transition(
        ticket, actor=demo.people["desk"], version=ticket.version, to=TicketState.AWAITING_VENDOR
    )
    restore = clock(ticket, Metric.RESOLUTION)
    assert restore.state == "paused"
    assert restore.due_at is None
    assert "paused: awaiting vendor" in timeline(ticket, Metric.RESOLUTION)
    ticket = ticket_transition(
        ticket, actor=demo.people["desk"], version=ticket.version, to=TicketState.IN_PROGRESS
    )
    assert clock(ticket, Metric.RESOLUTION).state == "running"
    assert "resumed: in progress" in timeline(ticket, Metric.RESOLUTION)


def test_a_vendor_dependent_ticket_has_no_running_resolution_clock(demo: Organisation) -> None:
    vendor = PriorityCode.objects.get(category__number=1, code=5)
    ticket = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Copier lease",
        category=vendor.category,
        priority_code=vendor,
    )
    restore = clock(ticket, Metric.RESOLUTION)
    assert restore.state == "paused"
    assert restore.due_at is None
    assert restore.target_label == "no SLA"


def test_an_uncategorized_portal_ticket_gets_a_categorize_clock_met_by_triage(
    demo: Organisation,
) -> None:
    ticket = ticket_create(
        actor=demo.people["employee"], kind=TicketKind.INCIDENT, short_description="Help"
    )
    categorize = clock(ticket, Metric.CATEGORIZE)
    assert categorize.target_label == "2 hours"
    assert categorize.state in {"running", "paused"}
    ticket = ticket_update(
        ticket,
        actor=demo.people["desk"],
        version=ticket.version,
        changes={"category": demo.categories[1]},
    )
    categorize = clock(ticket, Metric.CATEGORIZE)
    assert (categorize.state, categorize.outcome) == ("completed", "met")
    phoned = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Logged by phone",
    )
    # A call is reviewed on the same clock; prioritized on entry, it needs none.
    assert phoned.clocks.filter(metric=Metric.CATEGORIZE).exists()


def test_only_a_public_reply_by_staff_answers_the_response_clock(demo: Organisation) -> None:
    ticket = p1_incident(demo, "employee")
    comment_add(ticket, actor=demo.people["employee"], body="Any news?")
    comment_add(ticket, actor=demo.people["desk"], body="Checking logs", internal=True)
    assert clock(ticket, Metric.RESPONSE).state == "running"
    comment_add(ticket, actor=demo.people["desk"], body="We are on it")
    response = clock(ticket, Metric.RESPONSE)
    assert (response.state, response.outcome) == ("completed", "met")


def test_a_disputed_resolution_runs_the_resolution_clock_again(demo: Organisation) -> None:
    ticket = p1_incident(demo, "employee")
    desk = demo.people["desk"]
    ticket = ticket_transition(
        ticket, actor=desk, version=ticket.version, to=TicketState.RESOLVED, note="Rebooted"
    )
    assert clock(ticket, Metric.RESOLUTION).state == "completed"
    ticket = ticket_transition(
        ticket,
        actor=demo.people["employee"],
        version=ticket.version,
        to=TicketState.IN_PROGRESS,
        note="Still down",
    )
    restore = clock(ticket, Metric.RESOLUTION)
    assert restore.state == "running"
    assert restore.outcome == ""
    assert any(line.startswith("reopened") for line in timeline(ticket, Metric.RESOLUTION))


def test_raising_the_priority_retargets_the_clocks(demo: Organisation) -> None:
    ticket = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Slow",
        impact=Impact.INDIVIDUAL,
        severity=Severity.DEGRADATION,
    )
    assert clock(ticket, Metric.RESOLUTION).target_label == "3 business days"
    ticket = ticket_update(
        ticket,
        actor=demo.people["desk"],
        version=ticket.version,
        changes={"impact": Impact.MULTI_AGENCY},
    )
    restore = clock(ticket, Metric.RESOLUTION)
    assert restore.target_label == "4 hours"
    last = timeline(ticket, Metric.RESOLUTION)[-1]
    assert "3 business days → 4 hours, counted around the clock" in last


def test_a_rule_that_can_never_fire_is_refused(demo: Organisation) -> None:
    catch_all = SlaRule(
        metric=Metric.RESPONSE,
        position=1,
        name="Everything: 1 hour",
        target_kind="duration",
        minutes=60,
    )
    with pytest.raises(ValidationError, match="would hide rule #10"):
        catch_all.full_clean()
    shadowed = SlaRule(
        metric=Metric.RESPONSE,
        position=999,
        name="P1 incidents again",
        ticket_kind=TicketKind.INCIDENT,
        priority="p1",
        target_kind="duration",
        minutes=5,
    )
    with pytest.raises(ValidationError, match="can never fire: rule #30"):
        shadowed.full_clean()


def test_a_calendar_without_working_time_is_refused(db: None) -> None:
    empty = BusinessCalendar(
        name="Never open", time_zone="America/Chicago", weekly_hours={"0": [], "5": []}
    )
    with pytest.raises(ValidationError, match="needs some working time"):
        empty.full_clean()
    wrong_zone = BusinessCalendar(
        name="Bad", time_zone="Mars/Olympus", weekly_hours={"0": [["07:00", "17:00"]]}
    )
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        wrong_zone.full_clean()
