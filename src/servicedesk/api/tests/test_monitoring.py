"""Monitoring events: one incident per failing check, repeats counted, recovery resolves."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import override_settings

from servicedesk.api.models import MonitoredResource, MonitoringAlert
from servicedesk.api.monitoring import EventState, MonitoringEvent, monitoring_event_receive
from servicedesk.conftest import Org
from servicedesk.tickets.models import Comment, Ticket

PROBLEM = {
    "source": "zabbix",
    "resource": "db-01.sok.example",
    "check": "disk /var",
    "state": "problem",
    "message": "92% used",
}


def test_ten_identical_problems_make_one_incident_and_ok_resolves_it(org: Org, api_as) -> None:
    monitor = api_as(org.desk)
    answers = [monitor.post("/events", PROBLEM) for _ in range(10)]
    assert [a.status_code for a in answers] == [201] + [200] * 9
    assert {a.json()["ticket"] for a in answers} == {answers[0].json()["ticket"]}
    assert answers[-1].json() == {
        "outcome": "repeated",
        "dedupe_key": "zabbix|db-01.sok.example|disk /var",
        "ticket": answers[0].json()["ticket"],
        "occurrences": 10,
    }
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.channel, ticket.requester) == ("incident", "monitoring", org.desk)
    assert ticket.description == "92% used"
    assert Comment.objects.filter(ticket=ticket, is_internal=True).count() == 9

    ok = monitor.post("/events", {**PROBLEM, "state": "ok", "message": "45% used"})
    assert ok.json()["outcome"] == "resolved"
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    assert "ok again" in ticket.resolution_note
    assert not MonitoringAlert.objects.filter(is_open=True).exists()

    again = monitor.post("/events", PROBLEM)
    assert again.status_code == 201
    assert again.json()["ticket"] != ticket.number


def test_an_ok_without_a_problem_changes_nothing(org: Org, api_as) -> None:
    ok = api_as(org.desk).post("/events", {**PROBLEM, "state": "ok"})
    assert ok.json() == {
        "outcome": "ignored",
        "dedupe_key": "zabbix|db-01.sok.example|disk /var",
        "ticket": None,
        "occurrences": 0,
    }
    assert not Ticket.objects.exists()


@override_settings(SERVICEDESK_MONITORING_OK_RESOLVES=False)
def test_a_setting_leaves_the_incident_open_for_the_desk(org: Org, api_as) -> None:
    monitor = api_as(org.desk)
    monitor.post("/events", PROBLEM)
    ok = monitor.post("/events", {**PROBLEM, "state": "ok"})
    assert ok.json()["outcome"] == "cleared"
    assert Ticket.objects.get().state == "new"
    relapse = monitor.post("/events", PROBLEM)
    assert relapse.json()["outcome"] == "repeated"


def test_the_dedupe_key_and_the_resource_mapping_are_used(org: Org, api_as) -> None:
    MonitoredResource.objects.create(pattern="db-*.sok.example", service=org.service)
    monitor = api_as(org.desk)
    first = monitor.post("/events", {**PROBLEM, "dedupe_key": "db-cluster"})
    other_check = monitor.post("/events", {**PROBLEM, "check": "cpu", "dedupe_key": "db-cluster"})
    assert other_check.json()["ticket"] == first.json()["ticket"]
    ticket = Ticket.objects.get()
    assert ticket.service == org.service
    assert ticket.assignment_group == org.network_group


def test_a_finished_incident_does_not_swallow_a_new_failure(org: Org, api_as) -> None:
    monitor = api_as(org.desk)
    number = monitor.post("/events", PROBLEM).json()["ticket"]
    resolved = monitor.post(f"/tickets/{number}/transition", {"to": "resolved", "note": "Purged"})
    assert resolved.status_code == 200
    again = monitor.post("/events", PROBLEM)
    assert again.json()["outcome"] == "opened"
    assert again.json()["ticket"] != number


@pytest.mark.parametrize(
    "body",
    [{**PROBLEM, "state": "warning"}, {**PROBLEM, "source": ""}, {"source": "zabbix"}],
)
def test_malformed_events_are_422(org: Org, api_as, body: dict[str, str]) -> None:
    assert api_as(org.desk).post("/events", body).status_code == 422


def test_only_staff_tokens_send_events(org: Org, api_as) -> None:
    refused = api_as(org.employee).post("/events", PROBLEM)
    assert refused.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_problem_open_one_incident(org: Org) -> None:
    event = MonitoringEvent(
        source="zabbix", resource="db-01", check="disk", state=EventState.PROBLEM
    )

    def deliver(_n: int) -> str:
        try:
            return monitoring_event_receive(event, actor=org.desk).outcome
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(deliver, range(8)))
    assert outcomes == ["opened"] + ["repeated"] * 7
    assert Ticket.objects.count() == 1
    assert MonitoringAlert.objects.get().occurrences == 8
