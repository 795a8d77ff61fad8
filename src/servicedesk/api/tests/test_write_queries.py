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
