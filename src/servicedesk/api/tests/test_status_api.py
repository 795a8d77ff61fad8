"""GET /api/v1/status: what the status page shows, for scripts and dashboards."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.tests.conftest import email as email
from servicedesk.outages.tests.conftest import email_outage as email_outage
from servicedesk.outages.tests.conftest import network_maintenance as network_maintenance
from servicedesk.outages.tests.conftest import outage_incident as outage_incident


def test_status_lists_current_entries_per_service_and_planned_maintenance(
    org: Org,
    api_as: Callable[[Person], ApiClient],
    email_outage: StatusEntry,
    network_maintenance: StatusEntry,
) -> None:
    response = api_as(org.employee).get("/status")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "outage"
    [service] = body["current"]
    assert service["service"]["name"] == "Email and calendar"
    [entry] = service["entries"]
    assert (entry["kind"], entry["title"]) == ("outage", "Email delivery delayed")
    assert entry["incident"] == email_outage.incident.number  # type: ignore[union-attr]
    assert [m["title"] for m in body["upcoming_maintenance"]] == ["Core switch upgrade"]


def test_status_is_normal_without_entries_and_refuses_unknown_parameters(
    org: Org, api_as: Callable[[Person], ApiClient]
) -> None:
    client = api_as(org.employee)
    assert client.get("/status").json() == {
        "level": "normal",
        "current": [],
        "upcoming_maintenance": [],
    }
    refused = client.get("/status", service="email")
    assert refused.status_code == 400
    assert refused.json()["code"] == "unknown_parameter"


def test_status_needs_authentication(org: Org, client: Client) -> None:
    response = client.get("/api/v1/status")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "field"}
