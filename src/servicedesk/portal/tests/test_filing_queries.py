"""Filing from the portal, in queries: pinned (see tickets/tests/test_write_queries.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.tickets.models import Ticket


def file_incident(client: Client, org: Org, title: str) -> Any:
    return client.post(
        reverse("portal:new", args=["incident"]),
        {
            "action": "submit",
            "short_description": title,
            "description": "Room 210",
            "affected": [org.employee.pk],
        },
    )


def test_filing_an_incident_from_the_portal(
    employee_client: Client, org: Org, django_assert_num_queries: Any
) -> None:
    file_incident(employee_client, org, "Warm the caches")
    # Session, person, the affected person, the filing limit (in the view's transaction), the
    # requester's location and agency, then the service (tickets/tests/test_write_queries.py)
    # with the affected person's link (its configuration kept by the process since the first
    # filing).
    with django_assert_num_queries(19):
        response = file_incident(employee_client, org, "Printer jams")
    ticket = Ticket.objects.get(short_description="Printer jams")
    assert response["Location"] == reverse("portal:filed", args=[ticket.number])
