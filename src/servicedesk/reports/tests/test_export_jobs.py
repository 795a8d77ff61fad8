"""Long exports run in the background: a progress page, a download when done, for its owner."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.reports import export_jobs
from servicedesk.reports.models import ExportJob, ExportState
from servicedesk.reports.tests.test_exports import body
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create


@pytest.fixture
def short_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten thousand rows in production; three here, so five tickets make a "long" list.
    monkeypatch.setattr(export_jobs, "BACKGROUND_OVER", 3)


def test_a_long_queue_export_runs_in_the_background_and_downloads_when_done(
    org: Org, client: Client, short_threshold: None
) -> None:
    numbers = {
        ticket_create(
            actor=org.employee, kind=TicketKind.INCIDENT, short_description=f"=cmd|{n}"
        ).number
        for n in range(5)
    }
    manager = make_person("manager", Role.MANAGER, org.fiber)
    client.force_login(manager)
    asked = client.get("/workspace/queues/all-open/export.csv", {"sort": "number"})
    job = ExportJob.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == f"/workspace/reports/exports/{job.key}/"
    waiting = client.get(asked["Location"])
    assert b'data-testid="export-progress"' in waiting.content and b"hx-trigger" in waiting.content

    done = export_jobs.export_run(job.key)  # what the worker does
    assert done.state == ExportState.DONE and (done.done, done.total) == (5, 5)
    page = client.get(asked["Location"], headers={"HX-Request": "true"})
    assert b'data-testid="export-download"' in page.content and b"hx-trigger" not in page.content
    download = client.get(f"/workspace/reports/exports/{job.key}/download/")
    text = body(download).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert {row[0] for row in rows} == numbers
    assert all(row[1].startswith("'=cmd|") for row in rows)

    # Somebody else's export is not there for them.
    client.force_login(org.desk)
    assert client.get(asked["Location"]).status_code == 404
    assert client.get(f"/workspace/reports/exports/{job.key}/download/").status_code == 404


def test_a_short_export_streams_at_once(org: Org, client: Client) -> None:
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="One")
    client.force_login(make_person("manager", Role.MANAGER, org.fiber))
    response = client.get("/workspace/queues/all-open/export.csv")
    assert response.status_code == 200 and not ExportJob.objects.exists()
