"""The API end to end: a script using only the documented API works a ticket end to end."""

from __future__ import annotations

import ninja.main

from servicedesk.conftest import Org
from servicedesk.tickets.models import Ticket


def test_a_script_files_comments_uploads_and_resolves_an_incident(org: Org, api_as) -> None:
    employee = api_as(org.employee)
    desk = api_as(org.desk)

    filed = employee.post(
        "/tickets",
        {
            "kind": "incident",
            "short_description": "Licensing app times out",
            "description": "Since 9:00, every search spins forever.",
        },
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert filed["Location"].endswith(f"/api/v1/tickets/{number}")
    assert filed.json()["channel"] == "api"
    assert filed.json()["requester"]["username"] == "employee"

    replied = employee.post(f"/tickets/{number}/comments", {"body": "Still happening at 10."})
    assert replied.status_code == 201
    uploaded = employee.upload(f"/tickets/{number}/attachments", "error.png", b"\x89PNG fake")
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["content_type"] == "image/png"

    read = desk.get(f"/tickets/{number}")
    assert read.status_code == 200
    version = read.json()["version"]
    assert read["ETag"] == f'"{version}"'
    assigned = desk.post(f"/tickets/{number}/assign", {"group": org.desk_group.pk})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["state"] == "assigned"
    resolved = desk.post(
        f"/tickets/{number}/transition",
        {"to": "resolved", "note": "Cleared the app server's cache."},
        if_match=assigned["ETag"],
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["resolution_note"] == "Cleared the app server's cache."

    comments = employee.get(f"/tickets/{number}/comments").json()
    assert [comment["body"] for comment in comments] == ["Still happening at 10."]
    attachments = employee.get(f"/tickets/{number}/attachments").json()
    download = employee.get(f"/tickets/{number}/attachments/{attachments[0]['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\x89PNG fake"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert Ticket.objects.get(number=number).state == "resolved"

    clocks = employee.get(f"/tickets/{number}/sla")
    assert clocks.status_code == 200, clocks.content
    by_metric = {clock["metric"]: clock for clock in clocks.json()}
    assert {"response", "resolution"} <= set(by_metric)
    resolution = by_metric["resolution"]
    assert resolution["state"] == "completed"
    assert resolution["timeline"][0]["kind"] == "started"


def test_the_documentation_is_served(client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/tickets/{number}/transition" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_the_schema_is_built_once_a_process(client, monkeypatch) -> None:
    """Building it took 0.7 s a request: the docs' page loaded slowly, every time."""
    first = client.get("/api/v1/openapi.json").json()
    monkeypatch.setattr(ninja.main, "get_schema", _refuse_to_build)
    assert client.get("/api/v1/openapi.json").json() == first


def _refuse_to_build(**_: object) -> None:
    raise AssertionError("the schema was built again")


def test_no_error_body_carries_a_traceback(org: Org, api_as, client, monkeypatch) -> None:
    desk = api_as(org.desk)

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("servicedesk.api.routers.tickets.api_ticket_list", explode)
    bodies = [
        desk.get("/tickets"),  # unexpected exception
        desk.get("/tickets/INC9999999"),  # not found
        desk.get("/tickets", sort="x"),  # unknown parameter
        desk.post("/tickets", {"kind": "problem"}),  # validation
        desk.post("/tickets", "not an object"),
        desk.client.post(
            "/api/v1/tickets", "{", content_type="application/json", headers=desk.headers
        ),  # malformed JSON
        client.get("/api/v1/tickets"),  # unauthenticated
        desk.get("/no/such/endpoint"),
    ]
    statuses = [response.status_code for response in bodies]
    assert statuses == [500, 404, 400, 422, 422, 400, 401, 404]
    for response in bodies:
        body = response.json()
        assert set(body) >= {"code", "message", "field"}, body
        assert "Traceback" not in response.content.decode()
        assert "secret internals" not in response.content.decode()
