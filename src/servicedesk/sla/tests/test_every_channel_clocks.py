"""Every channel on the same clocks (the school district's SLA chart): categorize and acknowledge
clocks whatever the channel, a mailed request counting from submission like a portal one, the
acknowledge clock stopped by a technician and not by routing, and conversion between incident
and service request re-planned from submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from servicedesk.catalog.models import PriorityCode
from servicedesk.demo.organisation import Organisation, load_organisation
from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import process_message, store_message
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import TicketClock
from servicedesk.sla.services import load_clock
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.services import (
    comment_add,
    ticket_assign,
    ticket_convert,
    ticket_create,
    ticket_take,
    ticket_transition,
    ticket_update,
)


@pytest.fixture
def demo(db: None) -> Organisation:
    return load_organisation()


def clock(ticket: Ticket, metric: Metric) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, metric=metric)


def metrics(ticket: Ticket) -> set[str]:
    return set(ticket.clocks.values_list("metric", flat=True))


def phoned(demo: Organisation, channel: Channel = Channel.PHONE, **fields: object) -> Ticket:
    return ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.INCIDENT,
        channel=channel,
        short_description="Projector dead in room 12",
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "channel",
    [Channel.PORTAL, Channel.EMAIL, Channel.PHONE, Channel.VOICEMAIL, Channel.WALK_IN],
)
def test_every_channel_gets_the_categorize_and_acknowledge_clocks(
    demo: Organisation, channel: Channel
) -> None:
    ticket = phoned(demo, channel)
    assert clock(ticket, Metric.CATEGORIZE).target_label == "2 hours"
    acknowledge = clock(ticket, Metric.ACKNOWLEDGE)
    assert acknowledge.target_label == "24 hours"
    assert acknowledge.due_at == ticket.created_at.replace(microsecond=0) + timedelta(hours=24)


def test_a_monitoring_alert_gets_them_too(demo: Organisation) -> None:
    alert = ticket_create(
        actor=demo.people["admin"],
        requester=demo.people["desk"],
        kind=TicketKind.INCIDENT,
        channel=Channel.MONITORING,
        short_description="core-sw-2 unreachable",
    )
    assert {Metric.CATEGORIZE, Metric.ACKNOWLEDGE} <= metrics(alert)


def test_a_call_prioritized_on_entry_has_no_categorize_clock(demo: Organisation) -> None:
    code = PriorityCode.objects.get(category__number=1, code=3)
    ticket = phoned(demo, category=code.category, priority_code=code)
    assert Metric.CATEGORIZE not in metrics(ticket)
    assert clock(ticket, Metric.RESOLUTION).target_label == "3 business days"
    assert Metric.ACKNOWLEDGE in metrics(ticket)


def test_routing_to_a_group_does_not_acknowledge(demo: Organisation) -> None:
    ticket = phoned(demo)
    desk, dale = demo.people["desk"], demo.people["dtech"]
    ticket = ticket_assign(ticket, actor=desk, version=None, group=demo.groups["desktop"])
    assert clock(ticket, Metric.ACKNOWLEDGE).state == "running"
    # The desk handing it to Dale is not Dale's acknowledgement either.
    ticket = ticket_assign(ticket, actor=desk, version=None, group=None, assignee=dale)
    assert clock(ticket, Metric.ACKNOWLEDGE).state == "running"
    ticket = ticket_transition(ticket, actor=dale, version=None, to=TicketState.IN_PROGRESS)
    acknowledge = clock(ticket, Metric.ACKNOWLEDGE)
    assert (acknowledge.state, acknowledge.outcome) == ("completed", "met")
    assert acknowledge.events.last().detail == f"stopped: accepted by {dale} (met)"  # type: ignore[union-attr]


def test_taking_it_acknowledges(demo: Organisation) -> None:
    ticket = phoned(demo)
    ticket = ticket_assign(
        ticket, actor=demo.people["desk"], version=None, group=demo.groups["desktop"]
    )
    ticket_take(ticket, actor=demo.people["dtech"], version=None)
    assert clock(ticket, Metric.ACKNOWLEDGE).state == "completed"


def test_a_first_public_reply_acknowledges_but_an_internal_note_does_not(
    demo: Organisation,
) -> None:
    ticket = phoned(demo)
    comment_add(ticket, actor=demo.people["dtech"], body="Looking", internal=True)
    assert clock(ticket, Metric.ACKNOWLEDGE).state == "running"
    comment_add(ticket, actor=demo.people["dtech"], body="On my way with a spare lamp")
    assert clock(ticket, Metric.ACKNOWLEDGE).state == "completed"


def mail(sender: str, subject: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: orders@district.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@mail.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease.\r\n"
    ).encode()


def test_an_emailed_request_is_due_when_the_same_portal_request_is(demo: Organisation) -> None:
    employee = demo.people["employee"]
    portal = ticket_create(actor=employee, kind=TicketKind.REQUEST, short_description="Laptop")
    orders = Mailbox.objects.create(
        name="Orders",
        address="orders@district.example",
        default_kind=TicketKind.REQUEST,
        assignment_group=demo.groups["desktop"],
    )
    row, _ = store_message(orders, mail(employee.email, "Laptop"))
    # Mail that reached us at the same minute, processed a while later.
    InboundMessage.objects.filter(pk=row.pk).update(received_at=portal.created_at)
    row = process_message(row)
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    mailed = row.ticket
    assert (mailed.kind, mailed.channel) == (TicketKind.REQUEST, Channel.EMAIL)
    assert mailed.assignment_group == demo.groups["desktop"]
    code = PriorityCode.objects.get(category__number=3, code=3)
    for ticket in (portal, mailed):
        ticket_update(
            ticket,
            actor=demo.people["desk"],
            version=None,
            changes={"category": code.category, "priority_code": code},
        )
    due = {
        ticket.channel: dict(ticket.clocks.values_list("metric", "due_at"))
        for ticket in (portal, mailed)
    }
    assert due[Channel.EMAIL] == due[Channel.PORTAL]
    # Categorized within the second it was filed or a second later, the categorize clock keeps
    # the due it was met against.
    assert due[Channel.EMAIL][Metric.CATEGORIZE] is not None
    assert due[Channel.EMAIL][Metric.RESOLUTION] is not None
    assert clock(mailed, Metric.RESOLUTION).target_label == "3 business days"


def test_a_mailbox_files_incidents_unless_told_otherwise(demo: Organisation) -> None:
    desk = Mailbox.objects.create(name="Desk", address="orders@district.example")
    row, _ = store_message(desk, mail(demo.people["employee"].email, "Broken"))
    row = process_message(row)
    assert row.ticket is not None
    assert row.ticket.kind == TicketKind.INCIDENT


def test_converting_an_incident_replans_its_clocks_from_submission(demo: Organisation) -> None:
    employee, desk = demo.people["employee"], demo.people["desk"]
    as_request = ticket_create(actor=employee, kind=TicketKind.REQUEST, short_description="Access")
    incident = ticket_create(actor=employee, kind=TicketKind.INCIDENT, short_description="Access")
    # Untriaged, the incident's resolution clock waits for triage.
    assert clock(incident, Metric.RESOLUTION).due_at is None
    converted = ticket_convert(
        incident, actor=desk, version=None, to=TicketKind.REQUEST, reason="An access request"
    )
    assert converted.kind == TicketKind.REQUEST
    assert converted.number == incident.number
    for metric in (Metric.RESPONSE, Metric.RESOLUTION):
        expected = clock(as_request, metric).due_at
        assert expected is not None
        # Filed a few milliseconds apart: the same second, or the next.
        assert abs(clock(converted, metric).due_at - expected) <= timedelta(seconds=1)  # type: ignore[operator]
    assert "re-planned from submission as a service request" in (
        clock(converted, Metric.RESOLUTION).events.last().detail  # type: ignore[union-attr]
    )
    changes = TicketHistory.objects.filter(ticket=converted, action="ticket.convert")
    assert {(h.field, h.before, h.after) for h in changes} == {
        ("kind", "incident", "request"),
        ("note", "", "An access request"),
    }
    back = ticket_convert(converted, actor=desk, version=None, to=TicketKind.INCIDENT)
    assert back.kind == TicketKind.INCIDENT
    assert clock(back, Metric.RESOLUTION).due_at is None  # untriaged again: no SLA yet
    assert "re-planned from submission as an incident" in (
        clock(back, Metric.RESOLUTION).events.last().detail  # type: ignore[union-attr]
    )


def test_a_hold_survives_conversion(demo: Organisation) -> None:
    desk = demo.people["desk"]
    incident = phoned(demo)
    incident = ticket_transition(incident, actor=desk, version=None, to=TicketState.AWAITING_VENDOR)
    converted = ticket_convert(incident, actor=desk, version=None, to=TicketKind.REQUEST)
    resolution = clock(converted, Metric.RESOLUTION)
    assert resolution.state == "paused"
    assert load_clock(resolution).on_hold  # a request's target, still waiting for the vendor
    assert resolution.target_label == "5 business days"


def test_what_cannot_be_converted_is_refused_in_words(demo: Organisation) -> None:
    desk = demo.people["desk"]
    incident = phoned(demo)
    with pytest.raises(TicketError, match="is already an incident"):
        ticket_convert(incident, actor=desk, version=None, to=TicketKind.INCIDENT)
    with pytest.raises(TicketError, match="Only incidents and service requests"):
        ticket_convert(incident, actor=desk, version=None, to=TicketKind.PROBLEM)
    with pytest.raises(TicketError, match="Only service desk staff"):
        ticket_convert(incident, actor=demo.people["employee"], version=None, to=TicketKind.REQUEST)
    done = ticket_transition(
        incident, actor=desk, version=None, to=TicketState.RESOLVED, note="Swapped"
    )
    with pytest.raises(TicketError, match="reopen it to convert"):
        ticket_convert(done, actor=desk, version=None, to=TicketKind.REQUEST)


def test_an_admin_sets_a_mailbox_kind_and_group(demo: Organisation, client: Client) -> None:
    client.force_login(demo.people["admin"])
    response = client.post(
        "/admin/mail/mailbox/add/",
        {
            "name": "Orders",
            "address": "orders@district.example",
            "imap_port": 993,
            "imap_folder": "INBOX",
            "imap_security": "tls",
            "smtp_port": 587,
            "smtp_security": "starttls",
            "cc_become": "watchers",
            "default_kind": TicketKind.REQUEST,
            "assignment_group": demo.groups["desktop"].pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    orders = Mailbox.objects.get(name="Orders")
    assert (orders.default_kind, orders.assignment_group) == (
        TicketKind.REQUEST,
        demo.groups["desktop"],
    )
    form = client.get(f"/admin/mail/mailbox/{orders.pk}/change/").content.decode()
    assert "Default kind" in form and "Default group" in form
    refused = client.post(
        "/admin/mail/mailbox/add/",
        {"name": "Bad", "address": "bad@district.example", "default_kind": TicketKind.PROBLEM},
    )
    assert "is not one of the available choices" in refused.content.decode()
