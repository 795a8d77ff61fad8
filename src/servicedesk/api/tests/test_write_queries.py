"""Filing through the API, in queries: pinned, since scripts and integrations file in bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.directory.models import Person

INCIDENT = {
    "kind": "incident",
    "short_description": "Printer on floor 3 offline",
    "description": "Since this morning",
    "impact": "individual",
    "severity": "degradation",
}


def test_filing_answers_from_what_was_written_without_reading_it_back(
    org: Org, api_as: Callable[[Person], ApiClient], django_assert_num_queries: Any
) -> None:
    api = api_as(org.desk)
    api.post("/tickets", INCIDENT)  # caches warm (content types, templates)
    # Token and its owner (with agency and location), rate counter, the affected person, then
    # the service (see tickets/tests/test_write_queries.py; the priority matrix is kept with
    # the rest of the configuration) with the affected person's link: nothing read back.
    with django_assert_num_queries(14):
        response = api.post("/tickets", {**INCIDENT, "affected_people": [org.colleague.pk]})
    assert response.status_code == 201
    body = response.json()
    assert response["Location"].endswith(f"/tickets/{body['number']}")
    assert response["ETag"] == f'"{body["version"]}"'
    assert body["priority"] and body["requester"]["id"] == org.desk.pk
    assert [person["id"] for person in body["affected_people"]] == [org.colleague.pk]
    assert body["answers"] == []
    again = api.get(f"/tickets/{body['number']}").json()
    assert again == body  # what the write answered is what a read shows


def test_assigning_replying_and_moving_on_through_the_api(
    org: Org, api_as: Callable[[Person], ApiClient], django_assert_num_queries: Any
) -> None:
    api = api_as(org.desk)
    number = api.post("/tickets", INCIDENT).json()["number"]
    warm = api.post("/tickets", INCIDENT).json()["number"]
    api.post(f"/tickets/{warm}/assign", {"group": org.desk_group.pk, "assignee": org.desk.pk})
    api.post(f"/tickets/{warm}/comments", {"body": "Warm"})
    api.post(f"/tickets/{warm}/transition", {"to": "in_progress"})
    # Token, rate counter, the ticket through the access policy (the caller's groups, the
    # ticket), the group and the person named, the service (tickets/tests/
    # test_write_queries.py: here the desk assigns to themselves, nobody to tell), then the
    # answer from the row the service wrote, with its affected people and answers read.
    with django_assert_num_queries(19):
        response = api.post(
            f"/tickets/{number}/assign", {"group": org.desk_group.pk, "assignee": org.desk.pk}
        )
    assert response.status_code == 200 and response.json()["assignee"]["id"] == org.desk.pk
    assert api.get(f"/tickets/{number}").json() == response.json()
    # Token, rate counter, the ticket through the access policy, the service; the reply is the
    # requester's to hear, and the desk's own: affected people and watchers, nobody else.
    with django_assert_num_queries(16):
        response = api.post(f"/tickets/{number}/comments", {"body": "Restart the laptop?"})
    assert response.status_code == 201
    # Token, rate counter, the ticket through the access policy, the service, the answer
    # (affected people, answers).
    with django_assert_num_queries(16):
        response = api.post(f"/tickets/{number}/transition", {"to": "in_progress"})
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
    assert api.get(f"/tickets/{number}").json() == response.json()
