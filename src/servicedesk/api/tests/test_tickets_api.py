"""Listing, filtering, ordering and paging tickets; reading, updating and linking them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.core.tests.test_kept_queries import compilations
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create


def file(org: Org, title: str, **extra) -> Ticket:
    return ticket_create(
        actor=org.desk,
        requester=extra.pop("requester", org.employee),
        kind=extra.pop("kind", TicketKind.INCIDENT),
        short_description=title,
        channel=Channel.PHONE,
        **extra,
    )


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [ticket["number"] for ticket in response.json()["items"]]


def test_unknown_filters_and_orderings_are_refused(org: Org, api_as) -> None:
    desk = api_as(org.desk)
    unknown = desk.get("/tickets", assigned_to=1)
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_parameter"
    assert unknown.json()["field"] == "assigned_to"
    ordering = desk.get("/tickets", ordering="short_description")
    assert ordering.status_code == 422
    assert ordering.json()["field"] == "ordering"
    assert desk.get("/tickets", limit=101).status_code == 422
    assert desk.get("/groups", bogus="1").json()["code"] == "unknown_parameter"


def test_a_method_a_path_lacks_gets_the_json_error_shape(org: Org, api_as) -> None:
    desk = api_as(org.desk)
    refused = desk.send("put", "/groups")
    assert refused.status_code == 405
    assert refused.json() == {
        "code": "method_not_allowed",
        "message": "PUT is not allowed here; allowed: GET.",
        "field": None,
    }
    assert refused["Allow"] == "GET"


def test_filters_narrow_the_list(org: Org, api_as) -> None:
    vpn = file(org, "VPN drops", service=org.service)
    printer = file(org, "Printer jams", requester=org.colleague)
    mouse = file(org, "A new mouse", kind=TicketKind.REQUEST)
    desk = api_as(org.desk)
    assert numbers(desk.get("/tickets", kind="request")) == [mouse.number]
    assert numbers(desk.get("/tickets", service=org.service.pk)) == [vpn.number]
    assert numbers(desk.get("/tickets", assignment_group=org.network_group.pk)) == [vpn.number]
    assert numbers(desk.get("/tickets", requester=org.colleague.pk)) == [printer.number]
    assert numbers(desk.get("/tickets", text="JAMS")) == [printer.number]
    assert numbers(desk.get("/tickets", text=vpn.number.lower())) == [vpn.number]
    both = desk.client.get(
        "/api/v1/tickets?state=new&state=resolved&ordering=number", headers=desk.headers
    )
    assert numbers(both) == [vpn.number, printer.number, mouse.number]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert numbers(desk.get("/tickets", created_after=later)) == []
    assert len(numbers(desk.get("/tickets", created_before=later))) == 3
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    assert len(numbers(desk.get("/tickets", created_before=naive))) == 3
    # An offset Python accepts but PostgreSQL would not (over 15:59) is read as the instant it is.
    far_east = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+23:30")
    assert len(numbers(desk.get("/tickets", created_before=far_east))) == 3
    edge = desk.client.get(
        "/api/v1/tickets?created_before=0001-01-01T00:00:00%2B23:00", headers=desk.headers
    )
    assert edge.status_code == 422
    assert "out of the range" in edge.content.decode()


@pytest.mark.parametrize("ordering", ["-created_at", "created_at", "number", "-priority"])
def test_cursor_paging_visits_every_ticket_once(org: Org, api_as, ordering: str) -> None:
    filed = [
        file(org, f"Ticket {n}", priority=f"p{n % 4 + 1}", priority_override_reason="t")
        for n in range(7)
    ]
    desk = api_as(org.desk)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"ordering": ordering, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = desk.get("/tickets", **params).json()
        seen += [ticket["number"] for ticket in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ticket.number for ticket in filed)
    assert len(seen) == len(set(seen))


def test_a_cursor_from_another_ordering_or_forged_is_refused(org: Org, api_as) -> None:
    for n in range(3):
        file(org, f"Ticket {n}")
    desk = api_as(org.desk)
    cursor = desk.get("/tickets", limit=1).json()["next_cursor"]
    other = desk.get("/tickets", limit=1, cursor=cursor, ordering="number")
    assert other.status_code == 400
    assert other.json()["code"] == "invalid_cursor"
    assert desk.get("/tickets", cursor="not-a-cursor!").json()["code"] == "invalid_cursor"


def test_a_stale_patch_gets_409_with_the_current_version(org: Org, api_as) -> None:
    ticket = file(org, "Scanner offline")
    desk, network = api_as(org.desk), api_as(org.network)
    etag = desk.get(f"/tickets/{ticket.number}")["ETag"]
    first = desk.patch(f"/tickets/{ticket.number}", {"impact": "agency"}, if_match=etag)
    assert first.status_code == 200, first.content
    stale = network.patch(f"/tickets/{ticket.number}", {"short_description": "x"}, if_match=etag)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    assert Ticket.objects.get(pk=ticket.pk).short_description == "Scanner offline"
    by_field = network.patch(f"/tickets/{ticket.number}", {"short_description": "y", "version": 2})
    assert by_field.status_code == 200
    assert by_field["ETag"] == '"3"'


def test_a_patch_without_a_version_is_refused(org: Org, api_as) -> None:
    ticket = file(org, "Scanner offline")
    response = api_as(org.desk).patch(f"/tickets/{ticket.number}", {"description": "x"})
    assert response.status_code == 428
    assert response.json()["code"] == "version_required"
    bad = api_as(org.desk).patch(f"/tickets/{ticket.number}", {}, if_match="soon")
    assert bad.status_code == 400


def test_staff_triage_through_the_api_uses_the_services_rules(org: Org, api_as) -> None:
    desk = api_as(org.desk)
    filed = desk.post(
        "/tickets",
        {
            "kind": "incident",
            "short_description": "Phones down at Guymon",
            "requester": org.colleague.pk,
            "service": org.service.pk,
            "affected_people": [org.employee.pk],
        },
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["assignment_group"]["name"] == "Network"  # the service's default group
    assert body["requested_by"]["username"] == "desk"
    assert [person["username"] for person in body["affected_people"]] == ["employee"]
    unknown = desk.post("/tickets", {"kind": "incident", "short_description": "x", "service": 999})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "service")
    wrong_member = desk.post(
        f"/tickets/{body['number']}/assign",
        {"group": org.network_group.pk, "assignee": org.desk.pk},
    )
    assert wrong_member.status_code == 422
    assert wrong_member.json()["code"] == "assignee_not_in_group"
    illegal = desk.post(f"/tickets/{body['number']}/transition", {"to": "closed"})
    assert (illegal.status_code, illegal.json()["code"]) == (409, "illegal_transition")


def test_text_that_no_database_can_store_is_cleaned_on_the_way_in(org: Org, api_as) -> None:
    # core.stored_text: a NUL is removed before the API reads the body or the query.
    desk = api_as(org.desk)
    nul = desk.post("/tickets", {"kind": "incident", "short_description": "a\x00b"})
    assert nul.status_code == 201 and nul.json()["short_description"] == "ab"
    found = desk.get("/tickets", text="a\x00b")
    assert found.status_code == 200 and numbers(found) == [nul.json()["number"]]
    assert desk.get("/tickets/INC%00").status_code == 404


def test_sla_filters_find_breached_and_due_tickets(org: Org, api_as) -> None:
    from servicedesk.sla.models import TicketClock

    late = file(org, "Late one")
    fine = file(org, "Fine one")
    now = timezone.now()
    TicketClock.objects.filter(ticket=late).update(breached_at=now, due_at=now)
    TicketClock.objects.filter(ticket=fine).update(due_at=now + timedelta(days=2))
    desk = api_as(org.desk)
    assert numbers(desk.get("/tickets", breached="true")) == [late.number]
    assert numbers(desk.get("/tickets", breached="false")) == [fine.number]
    tomorrow = (now + timedelta(days=1)).isoformat()
    assert numbers(desk.get("/tickets", due_before=tomorrow)) == [late.number]
    assert numbers(desk.get("/tickets", due_after=tomorrow)) == [fine.number]


def test_the_detail_reads_its_ticket_with_a_statement_compiled_once(org: Org, api_as) -> None:
    ticket = file(org, "Badge reader dead", affected_people=[org.employee])
    desk = api_as(org.desk)
    assert desk.get(f"/tickets/{ticket.number.lower()}").status_code == 200
    with compilations() as compiled:
        detail = desk.get(f"/tickets/{ticket.number}")
    assert detail.status_code == 200, detail.content
    assert detail.json()["short_description"] == "Badge reader dead"
    assert [person["username"] for person in detail.json()["affected_people"]] == ["employee"]
    assert not any('"tickets_ticket"."number"' in sql for sql in compiled), compiled
