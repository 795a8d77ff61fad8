"""Webhooks carry their owner's scope: an agent who serves one agency hears nothing of another
agency's tickets, internal notes go only to owners who may read them, only an administrator
subscribes to the whole organisation, and a deactivated owner's webhooks stop."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from servicedesk.api.models import WebhookDelivery, WebhookSubscription
from servicedesk.api.tests.test_webhooks import Receiver
from servicedesk.api.webhook_delivery import deliver_due_webhooks
from servicedesk.conftest import Org
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import comment_add, ticket_create

PUBLIC_URL = "http://93.184.216.34/hook"  # an address literal: no name to resolve offline
EVERY_EVENT = ["ticket.created", "ticket.commented", "ticket.state_changed", "ticket.updated"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def one_agency_agent(org: Org) -> Person:
    """Nina serves Service Oklahoma only."""
    org.network_group.agencies.add(org.agency)
    return org.network


def subscribe_as(api_as, person: Person, receiver: Receiver, **extra: object) -> int:
    created = api_as(person).post("/webhooks", {"url": PUBLIC_URL, "event_types": EVERY_EVENT})
    assert created.status_code == 201, created.content
    # Point it at the loopback receiver, as an administrator could allow.
    WebhookSubscription.objects.filter(pk=created.json()["id"]).update(
        url=f"http://127.0.0.1:{receiver.port}/hook", allow_private=True, **extra
    )
    return int(created.json()["id"])


def tickets_of_both_agencies(org: Org) -> tuple[Ticket, Ticket]:
    ours = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Ours")
    theirs = ticket_create(actor=org.stranger, kind=TicketKind.INCIDENT, short_description="Theirs")
    return ours, theirs


def received_bodies(receiver: Receiver) -> list[dict[str, object]]:
    deliver_due_webhooks()
    return [json.loads(body) for _headers, body in receiver.received]


def test_an_agent_of_one_agency_hears_nothing_of_another_agencys_tickets(
    org: Org, api_as, one_agency_agent: Person, receiver: Receiver
) -> None:
    subscribe_as(api_as, one_agency_agent, receiver)
    ours, theirs = tickets_of_both_agencies(org)
    comment_add(theirs, actor=org.desk, body="SECRET-THEIRS internal", internal=True)
    comment_add(theirs, actor=org.desk, body="public-theirs")
    comment_add(ours, actor=org.desk, body="internal-ours", internal=True)

    bodies = received_bodies(receiver)
    raw = json.dumps(bodies)
    assert {body["ticket"]["number"] for body in bodies} == {ours.number}  # type: ignore[index]
    assert theirs.number not in raw and "SECRET-THEIRS" not in raw and "public-theirs" not in raw
    # Nina reads Service Oklahoma's internal notes in the workspace, so her hook gets this one.
    assert "internal-ours" in raw


def test_internal_notes_reach_only_owners_who_may_read_them(
    org: Org, api_as, one_agency_agent: Person, receiver: Receiver
) -> None:
    subscribe_as(api_as, one_agency_agent, receiver)
    ours, _theirs = tickets_of_both_agencies(org)
    # Nina is demoted to a requester: the subscription stays, her scope shrinks with her role.
    Person.objects.filter(pk=one_agency_agent.pk).update(role=Role.REQUESTER)
    ours.affected_people.add(one_agency_agent)
    comment_add(ours, actor=org.desk, body="NOTE-FOR-STAFF", internal=True)
    comment_add(ours, actor=org.desk, body="reply-for-everyone")
    raw = json.dumps(received_bodies(receiver))
    assert "NOTE-FOR-STAFF" not in raw
    assert "reply-for-everyone" in raw


def test_only_an_administrator_subscribes_to_the_whole_organisation(
    org: Org, api_as, one_agency_agent: Person, receiver: Receiver
) -> None:
    body = {"url": PUBLIC_URL, "event_types": ["ticket.created"], "organisation_wide": True}
    refused = api_as(one_agency_agent).post("/webhooks", body)
    assert (refused.status_code, refused.json()["field"]) == (403, "organisation_wide")
    assert not WebhookSubscription.objects.exists()

    org.lead.role = Role.ADMIN
    org.lead.save()
    created = api_as(org.lead).post("/webhooks", body)
    assert (created.status_code, created.json()["organisation_wide"]) == (201, True)
    WebhookSubscription.objects.update(url=f"http://127.0.0.1:{receiver.port}/", allow_private=True)
    _ours, theirs = tickets_of_both_agencies(org)
    assert theirs.number in json.dumps(received_bodies(receiver))


def test_a_deactivated_owners_webhooks_stop(
    org: Org, api_as, one_agency_agent: Person, receiver: Receiver
) -> None:
    subscribe_as(api_as, one_agency_agent, receiver)
    queued_before = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="Queued"
    )
    Person.objects.filter(pk=one_agency_agent.pk).update(is_active=False)
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="After")

    assert received_bodies(receiver) == []
    dropped = WebhookDelivery.objects.get()
    assert dropped.payload["ticket"]["number"] == queued_before.number
    assert (dropped.state, dropped.attempts) == ("failed", 0)
