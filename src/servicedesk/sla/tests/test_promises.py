"""What the requester reads about their targets: sentences in their own time zone."""

from datetime import UTC, datetime

import pytest

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.demo.organisation import Organisation, load_organisation
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import TicketClock
from servicedesk.sla.selectors import promises_in_words
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.services import ticket_create, ticket_transition


@pytest.fixture
def demo(db: None) -> Organisation:
    return load_organisation()


def test_a_triaged_incident_promises_a_start_and_a_fix_in_the_requesters_zone(
    demo: Organisation,
) -> None:
    ticket = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Office offline",
        impact=Impact.AGENCY,
        severity=Severity.OUTAGE,
    )
    TicketClock.objects.filter(ticket=ticket, metric=Metric.RESPONSE).update(
        due_at=datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    )
    TicketClock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION).update(
        due_at=datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    )
    # A call, like every channel, also gets the categorize and acknowledge clocks.
    TicketClock.objects.filter(ticket=ticket, metric=Metric.CATEGORIZE).update(
        due_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    )
    TicketClock.objects.filter(ticket=ticket, metric=Metric.ACKNOWLEDGE).update(
        due_at=datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    )
    now = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    words = promises_in_words(ticket, "America/Chicago", now)
    assert words == (
        "Someone starts working on it by today at 09:30. "
        "The desk reviews and categorizes it by today at 10:00. "
        "The desk acknowledges your ticket by tomorrow at 08:00. "
        "We aim to have it working again by Fri 27 Nov at 12:00."
    )
    assert "tomorrow at 00:30" in promises_in_words(ticket, "Asia/Tokyo", now)


def test_an_untriaged_portal_incident_says_when_the_desk_looks_and_that_the_fix_time_follows(
    demo: Organisation,
) -> None:
    ticket = ticket_create(
        actor=demo.people["employee"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PORTAL,
        short_description="Printer jams",
    )
    words = promises_in_words(ticket, "America/Chicago")
    assert "The desk reviews and categorizes it by" in words
    assert words.endswith("The time to fix it is set once the desk has triaged it.")


def test_a_paused_ticket_says_it_waits_and_a_resolved_one_promises_nothing(
    demo: Organisation,
) -> None:
    desk = demo.people["desk"]
    ticket = ticket_create(
        actor=desk,
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Office offline",
        impact=Impact.INDIVIDUAL,
        severity=Severity.DEGRADATION,
    )
    waiting = ticket_transition(
        ticket, actor=desk, to=TicketState.AWAITING_CUSTOMER, version=ticket.version
    )
    assert promises_in_words(waiting, "UTC").startswith(
        "On hold: waiting for your reply. The clock is paused until then."
    )
    at_vendor = ticket_transition(
        waiting, actor=desk, to=TicketState.AWAITING_VENDOR, version=waiting.version
    )
    assert promises_in_words(at_vendor, "UTC").startswith("On hold: waiting for the vendor.")
    waiting = ticket_transition(
        at_vendor, actor=desk, to=TicketState.AWAITING_CUSTOMER, version=at_vendor.version
    )
    resolved = ticket_transition(
        waiting, actor=desk, to=TicketState.RESOLVED, version=waiting.version, note="Fixed"
    )
    assert promises_in_words(resolved, "UTC") == ""


def test_a_promise_in_another_year_names_the_year(demo: Organisation) -> None:
    ticket = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Office offline",
        impact=Impact.INDIVIDUAL,
        severity=Severity.DEGRADATION,
    )
    TicketClock.objects.filter(ticket=ticket).exclude(metric=Metric.RESOLUTION).delete()
    TicketClock.objects.filter(ticket=ticket, metric=Metric.RESOLUTION).update(
        due_at=datetime(2027, 1, 5, 18, 0, tzinfo=UTC)
    )
    now = datetime(2026, 12, 29, 14, 0, tzinfo=UTC)
    words = promises_in_words(ticket, "America/Chicago", now)
    assert words == "We aim to have it working again by Tue 5 Jan 2027 at 12:00."
