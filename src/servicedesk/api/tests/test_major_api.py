"""The outage procedure through the API: declare, attach, update, correct, resolve; who is on
call; the phone greeting; the errors a script gets for bad input."""

from __future__ import annotations

import pytest

from servicedesk.api.models import WebhookDelivery, WebhookSubscription
from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.notifications.models import OutboundEmail
from servicedesk.outages.models import MajorIncident
from servicedesk.outages.tests.major_fixtures import World
from servicedesk.outages.tests.major_fixtures import world as world  # the fixture
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def declare(desk: ApiClient, world: World) -> dict[str, object]:
    parent, *children = world.reports
    response = desk.post(
        "/major-incidents",
        {
            "ticket": parent.number,
            "public_message": "Case search is down.",
            "children": [child.number for child in children],
        },
    )
    assert response.status_code == 201, response.content
    body: dict[str, object] = response.json()
    return body


def test_the_whole_procedure_through_the_api(world: World, api_as) -> None:
    desk = api_as(world.org.desk)
    major = declare(desk, world)
    assert major["children"] == [t.number for t in world.reports[1:]]
    scope = major["scope"]
    assert isinstance(scope, dict) and scope["tickets"] == 3 and scope["people"] == 2
    path = f"/major-incidents/{major['id']}"

    sent = desk.post(
        f"{path}/updates",
        {
            "stage": "identified",
            "message": "Failing over.",
            "audiences": ["greeting", "partners", "affected"],
        },
    )
    assert sent.status_code == 201, sent.content
    update = sent.json()["communications"][0]
    assert {s["audience"]: s["recipient_count"] for s in update["sends"]} == {
        "greeting": 1,
        "partners": 2,
        "affected": 2,
    }
    assert desk.get("/greeting").json()["text"] == "Failing over."
    corrected = desk.post(f"{path}/updates/{update['id']}/correct", {"message": "Switch failure."})
    assert corrected.status_code == 201, corrected.content
    assert desk.get("/greeting").json()["text"] == "Switch failure."

    resolved = desk.post(f"{path}/resolve", {"message": "Back.", "audiences": []})
    assert resolved.status_code == 200, resolved.content
    states = {t.state for t in Ticket.objects.filter(pk__in=[t.pk for t in world.reports])}
    assert states == {TicketState.RESOLVED}


def test_on_call_now_is_listed_for_staff_only(world: World, api_as) -> None:
    rows = api_as(world.org.desk).get("/on-call").json()
    assert rows == [
        {
            "group": {"id": rows[0]["group"]["id"], "name": "Application Support"},
            "person": "Oncall",
            "phone": "",
            "until": rows[0]["until"],
            "is_override": False,
            "meeting_time": "11:30:00",
        }
    ]
    refused = api_as(world.org.employee).get("/on-call")
    assert refused.status_code == 403


def test_bad_input_gets_a_clear_error_and_changes_nothing(world: World, api_as) -> None:
    org: Org = world.org
    desk = api_as(org.desk)
    closed = world.reports[2]
    closed.state = TicketState.CANCELLED
    closed.save()
    on_closed = desk.post("/major-incidents", {"ticket": closed.number, "public_message": "Down."})
    assert on_closed.status_code == 409
    assert on_closed.json()["code"] == "ticket_not_open"
    assert not MajorIncident.objects.exists()

    major = declare_without_children(desk, world)
    path = f"/major-incidents/{major['id']}"
    before = OutboundEmail.objects.count()
    empty = desk.post(
        f"{path}/updates", {"stage": "identified", "message": " ", "audiences": ["affected"]}
    )
    assert (empty.status_code, empty.json()["field"]) == (422, "message")
    unknown = desk.post(
        f"{path}/updates", {"stage": "identified", "message": "x", "audiences": ["pager"]}
    )
    assert (unknown.json()["code"], unknown.json()["field"]) == ("unknown_audience", "audiences")
    assert "pager" in unknown.json()["message"]
    missing = desk.post(f"{path}/attach", {"tickets": ["INC9999999"]})
    assert missing.status_code == 422 and "INC9999999" in missing.json()["message"]
    assert OutboundEmail.objects.count() == before


def declare_without_children(desk: ApiClient, world: World) -> dict[str, object]:
    response = desk.post(
        "/major-incidents",
        {"ticket": world.reports[0].number, "public_message": "Case search is down."},
    )
    assert response.status_code == 201, response.content
    body: dict[str, object] = response.json()
    return body


def test_a_requester_cannot_declare(world: World, api_as) -> None:
    response = api_as(world.org.employee).post(
        "/major-incidents", {"ticket": world.reports[0].number, "public_message": "Down"}
    )
    assert response.status_code == 403


def test_major_incident_events_reach_webhooks_with_the_scope(world: World, api_as) -> None:
    WebhookSubscription.objects.create(
        owner=world.org.desk,
        url="https://hooks.example/major",
        event_types=["major_incident.declared", "major_incident.updated"],
        secret="s" * 64,
    )
    desk = api_as(world.org.desk)
    major = declare(desk, world)
    desk.post(
        f"/major-incidents/{major['id']}/updates",
        {"stage": "identified", "message": "Failing over.", "audiences": ["affected"]},
    )

    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event_type for d in deliveries] == [
        "major_incident.declared",
        "major_incident.updated",
    ]
    assert deliveries[0].payload["ticket"]["number"] == world.reports[0].number
    assert deliveries[1].payload["data"]["scope_tickets"] == "3"
    assert deliveries[1].payload["data"]["scope_people"] == "2"
