"""Log a call after the fact: a voicemail left at 07:10 counts from 07:10, clocks included."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.conftest import Org
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule, TicketClock
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket, TicketHistory

CHICAGO = ZoneInfo("America/Chicago")


def test_a_voicemail_logged_later_counts_from_when_it_was_left(org: Org, client: Client) -> None:
    SlaRule.objects.create(
        metric=Metric.RESPONSE,
        position=1,
        name="Respond within an hour",
        target_kind=TargetKind.DURATION,
        minutes=60,
    )
    left = (
        (timezone.now() - timedelta(hours=3)).astimezone(CHICAGO).replace(second=0, microsecond=0)
    )
    client.force_login(org.desk)
    response = client.post(
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": Channel.VOICEMAIL,
            "kind": TicketKind.INCIDENT,
            "short_description": "Voicemail: printer jammed",
            "received_at": left.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.channel == Channel.VOICEMAIL
    assert ticket.created_at == left
    assert TicketClock.objects.get(ticket=ticket, metric=Metric.RESPONSE).started_at == left
    assert TicketHistory.objects.filter(ticket=ticket, field="received_at").exists()


def test_a_call_from_the_future_is_refused_beside_the_field(org: Org, client: Client) -> None:
    client.force_login(org.desk)
    tomorrow = timezone.now().astimezone(CHICAGO) + timedelta(days=1)
    response = client.post(
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": Channel.PHONE,
            "kind": TicketKind.INCIDENT,
            "short_description": "Typed the wrong day",
            "received_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-received_at"' in body and "in the future" in body
    assert 'value="Typed the wrong day"' in body
    assert not Ticket.objects.exists()


def chart(number: int, codes: dict[int, str]) -> list[PriorityCode]:
    category = Category.objects.create(number=number, name=f"Category {number}")
    return [
        PriorityCode.objects.create(category=category, code=code, name=name)
        for code, name in codes.items()
    ]


def call(client: Client, org: Org, **fields: object) -> HttpResponse:
    client.force_login(org.desk)
    return client.post(  # type: ignore[return-value]
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": Channel.PHONE,
            "kind": TicketKind.REQUEST,
            "short_description": "Needs a projector",
            **fields,
        },
    )


def test_the_care_center_prioritizes_a_call_on_entry(org: Org, client: Client) -> None:
    [emergency, instructional] = chart(1, {1: "Emergency", 3: "Instructional"})
    response = call(client, org, category=emergency.category_id, priority_code=instructional.pk)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.category, ticket.priority_code) == (instructional.category, instructional)


def test_a_code_alone_brings_its_category(org: Org, client: Client) -> None:
    [instructional] = chart(2, {3: "Instructional"})
    assert call(client, org, priority_code=instructional.pk).status_code == 302
    assert Ticket.objects.get().category == instructional.category


def test_a_code_of_another_category_is_refused_beside_the_field(org: Org, client: Client) -> None:
    [break_fix] = chart(1, {1: "Emergency"})
    [access] = chart(2, {3: "Instructional"})
    response = call(client, org, category=access.category_id, priority_code=break_fix.pk)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-priority_code"' in body
    assert "choose a code of category 2" in body
    assert 'value="Needs a projector"' in body
    assert not Ticket.objects.exists()
