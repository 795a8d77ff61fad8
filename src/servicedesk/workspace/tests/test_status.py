"""Staff declare outages, schedule maintenance, post updates and resolve, from the workspace."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.tests.conftest import email as email
from servicedesk.outages.tests.conftest import email_outage as email_outage
from servicedesk.outages.tests.conftest import outage_incident as outage_incident
from servicedesk.tickets.models import Ticket

LOCAL = "%Y-%m-%dT%H:%M"


def test_employees_get_a_404(client: Client, org: Org, email_outage: StatusEntry) -> None:
    client.force_login(org.employee)
    for url in (
        "/workspace/status/",
        "/workspace/status/declare/",
        f"/workspace/status/{email_outage.pk}/",
    ):
        assert client.get(url).status_code == 404
    assert client.post(f"/workspace/status/{email_outage.pk}/resolve/").status_code == 404
    assert StatusEntry.objects.get().resolved_at is None


def test_declare_an_outage_linked_to_an_incident(
    client: Client, org: Org, email: Service, outage_incident: Ticket
) -> None:
    client.force_login(org.desk)
    response = client.post(
        "/workspace/status/declare/",
        {
            "service": email.pk,
            "kind": StatusKind.OUTAGE,
            "title": "Email down",
            "message": "No mail in or out.",
            "incident_number": outage_incident.number.lower(),
        },
    )
    entry = StatusEntry.objects.get()
    assert response["Location"] == f"/workspace/status/{entry.pk}/"
    assert entry.incident == outage_incident
    listing = client.get("/workspace/status/").content.decode()
    assert "Email and calendar: Email down" in listing


def test_a_wrong_incident_number_and_an_end_before_the_start_show_next_to_their_fields(
    client: Client, org: Org, email: Service
) -> None:
    client.force_login(org.desk)
    response = client.post(
        "/workspace/status/declare/",
        {
            "service": email.pk,
            "kind": "outage",
            "title": "Down",
            "message": "x",
            "incident_number": "INC404",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-incident_number"' in response.content.decode()
    start = timezone.localtime() + timedelta(days=2)
    response = client.post(
        "/workspace/status/maintenance/",
        {
            "service": email.pk,
            "title": "Upgrade",
            "message": "Drops",
            "starts_at": start.strftime(LOCAL),
            "ends_at": (start - timedelta(hours=1)).strftime(LOCAL),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-ends_at"' in page and "after the start" in page
    assert 'value="Upgrade"' in page  # what was typed is kept
    assert not StatusEntry.objects.exists()


def test_schedule_maintenance_post_an_update_and_resolve(
    client: Client, org: Org, email: Service
) -> None:
    client.force_login(org.desk)
    start = timezone.localtime() + timedelta(days=2)
    client.post(
        "/workspace/status/maintenance/",
        {
            "service": email.pk,
            "title": "Mail server patching",
            "message": "Mail pauses for an hour.",
            "starts_at": start.strftime(LOCAL),
            "ends_at": (start + timedelta(hours=1)).strftime(LOCAL),
        },
    )
    entry = StatusEntry.objects.get(kind=StatusKind.MAINTENANCE)
    assert timezone.localtime(entry.starts_at).strftime(LOCAL) == start.strftime(LOCAL)
    base = f"/workspace/status/{entry.pk}"
    client.post(f"{base}/update/", {"stage": "monitoring", "message": "Patched half"})
    client.post(f"{base}/resolve/", {"message": "Done early"})
    entry.refresh_from_db()
    assert entry.resolved_at is not None
    page = client.get(f"{base}/").content.decode()
    assert "Patched half" in page and "Done early" in page
    response = client.post(
        f"{base}/update/", {"stage": "monitoring", "message": "Late"}, follow=True
    )
    assert "was already resolved; nothing was changed" in response.content.decode()
    assert entry.updates.count() == 2
