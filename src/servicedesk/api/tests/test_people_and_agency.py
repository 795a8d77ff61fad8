"""Tried as an attacker would through the API: finding another agency's requesters, filing a
ticket into another agency, and sending more text than any face accepts."""

from __future__ import annotations

from servicedesk.conftest import Org
from servicedesk.tickets.limits import TEXT_MAX
from servicedesk.tickets.models import Ticket


def test_an_agent_serving_one_agency_does_not_find_another_agencys_requesters(
    org: Org, api_as
) -> None:
    org.network_group.agencies.add(org.agency)
    nina = api_as(org.network)
    found = {person["username"] for person in nina.get("/people", limit=100).json()}
    assert "stranger" not in found
    assert {"employee", "colleague", "desk"} <= found
    assert nina.get("/people", search="stranger").json() == []
    everyone = {person["username"] for person in api_as(org.desk).get("/people").json()}
    assert "stranger" in everyone  # the desk serves every agency


def test_a_requester_cannot_file_into_another_agency(org: Org, api_as) -> None:
    employee = api_as(org.employee)
    body = {"kind": "incident", "short_description": "Printer", "agency": org.other_agency.pk}
    refused = employee.post("/tickets", body)
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["field"]) == ("not_permitted", "agency")
    assert not Ticket.objects.exists()
    own = employee.post("/tickets", {**body, "agency": org.agency.pk})
    assert own.status_code == 201 and own.json()["agency"]["id"] == org.agency.pk
    filed_for = api_as(org.desk).post("/tickets", {**body, "requester": org.stranger.pk})
    assert filed_for.status_code == 201  # the desk decides a ticket's agency


def test_a_comment_longer_than_the_limit_is_refused_with_the_field(org: Org, api_as) -> None:
    employee = api_as(org.employee)
    number = employee.post("/tickets", {"kind": "incident", "short_description": "x"}).json()[
        "number"
    ]
    refused = employee.post(f"/tickets/{number}/comments", {"body": "y" * (TEXT_MAX + 1)})
    assert (refused.status_code, refused.json()["field"]) == (422, "body")
    assert refused.json()["message"] == f"body: Keep it to {TEXT_MAX:,} characters."
