"""The sweep announces each threshold once, even with two workers sweeping at the same time."""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.demo.organisation import Organisation, load_organisation
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import TicketClock
from servicedesk.sla.sweep import sla_sweep
from servicedesk.tickets import events
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_assign, ticket_create, ticket_transition


@pytest.fixture
def heard() -> Iterator[list[events.TicketEvent]]:
    received: list[events.TicketEvent] = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def p1_on_fiber(demo: Organisation) -> Ticket:
    """Restore within 4 hours around the clock: thresholds at 2 h, 3 h and 4 h."""
    ticket = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Office offline",
        impact=Impact.AGENCY,
        severity=Severity.OUTAGE,
    )
    return ticket_assign(
        ticket,
        actor=demo.people["desk"],
        version=ticket.version,
        group=demo.groups["network"],
        assignee=demo.people["network"],
    )


def warnings_for(heard: list[events.TicketEvent], metric: Metric) -> list[tuple[str, object]]:
    return [(e.name, e.data["percent"]) for e in heard if e.data.get("metric") == metric]


@pytest.mark.django_db
def test_each_threshold_fires_once_to_the_right_people(heard) -> None:
    demo = load_organisation()
    ticket = p1_on_fiber(demo)
    start = ticket.created_at
    for hours in (1, 2.5, 2.6, 3.5, 5, 6):
        sla_sweep(now=start + timedelta(hours=hours))
    assert warnings_for(heard, Metric.RESOLUTION) == [
        ("sla.warning", 50),
        ("sla.warning", 75),
        ("sla.breach", 100),
    ]
    by_percent = {e.data["percent"]: e.data["recipients"] for e in heard if e.data}
    network, lead = demo.people["network"], demo.people["lead"]
    assert by_percent[50] == [network.pk]
    assert set(by_percent[75]) == {network.pk}  # the network group's lead is Nina herself
    assert lead.pk in by_percent[100]
    restore = TicketClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)
    assert restore.breached_at == start.replace(microsecond=0) + timedelta(hours=4)
    assert restore.events.filter(kind="breached").count() == 1


@pytest.mark.django_db
def test_a_late_sweep_reports_only_the_highest_threshold(heard) -> None:
    demo = load_organisation()
    ticket = p1_on_fiber(demo)
    sla_sweep(now=ticket.created_at + timedelta(hours=9))
    assert warnings_for(heard, Metric.RESOLUTION) == [("sla.breach", 100)]


@pytest.mark.django_db
def test_no_warning_fires_while_paused(heard) -> None:
    demo = load_organisation()
    ticket = p1_on_fiber(demo)
    ticket_transition(
        ticket,
        actor=demo.people["network"],
        version=ticket.version,
        to=TicketState.AWAITING_VENDOR,
    )
    sla_sweep(now=ticket.created_at + timedelta(hours=9))
    assert warnings_for(heard, Metric.RESOLUTION) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_fire_each_threshold_once(heard) -> None:
    demo = load_organisation()
    tickets = [p1_on_fiber(demo) for _ in range(10)]
    later = max(t.created_at for t in tickets) + timedelta(hours=2, minutes=30)
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            sla_sweep(now=later)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired = [e for e in heard if e.data.get("metric") == Metric.RESOLUTION]
    assert sorted(e.ticket.pk for e in fired) == sorted(t.pk for t in tickets)
    assert {e.data["percent"] for e in fired} == {50}
