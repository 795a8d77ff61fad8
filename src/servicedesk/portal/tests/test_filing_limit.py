"""The portal's filing limit per person: past it, what was typed and attached waits as a draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.tickets.models import Ticket, TicketDraft


@pytest.fixture
def two_per_hour(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Twenty minutes into an hour-long window, so that the test never straddles its end.
    monkeypatch.setattr("servicedesk.core.limits.clock", lambda: 1_800_000_000.0 + 1200)
    settings.SERVICEDESK_RATE_LIMITS = {
        **settings.SERVICEDESK_RATE_LIMITS,
        "portal.filing": (2, 3600),
    }


def _file(client: Client, org: Org, title: str, **extra: Any) -> Any:
    return client.post(
        reverse("portal:new", args=["incident"]),
        {
            "action": "submit",
            "short_description": title,
            "description": "Room 210",
            "affected": [org.employee.pk],
            **extra,
        },
    )


def test_past_the_limit_the_ticket_waits_as_a_draft_with_a_clear_message(
    employee_client: Client, org: Org, two_per_hour: None, caplog: pytest.LogCaptureFixture
) -> None:
    assert _file(employee_client, org, "First").status_code == 302
    assert _file(employee_client, org, "Second").status_code == 302

    held = _file(
        employee_client,
        org,
        "Third printer jam",
        attachments=[SimpleUploadedFile("jam.png", b"png")],
    )

    assert Ticket.objects.count() == 2
    draft = TicketDraft.objects.get(owner=org.employee)
    assert held.status_code == 302
    assert held["Location"] == reverse("portal:draft", args=[draft.pk])
    assert draft.short_description == "Third printer jam"
    assert draft.description == "Room 210"
    assert [item.original_name for item in draft.attachments.all()] == ["jam.png"]
    page = employee_client.get(held["Location"]).content.decode()
    assert "You have filed as many tickets as the portal accepts in a short time" in page
    assert "you can submit it in 40 minutes." in page
    assert 'value="Third printer jam"' in page
    assert "rate limit portal.filing refused person:" in caplog.text


def test_submitting_a_draft_past_the_limit_keeps_the_draft(
    employee_client: Client, org: Org, two_per_hour: None
) -> None:
    _file(employee_client, org, "First")
    _file(employee_client, org, "Second")
    draft = TicketDraft.objects.create(
        owner=org.employee, kind="incident", short_description="Old", description=""
    )

    response = employee_client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "action": "submit",
            "short_description": "Edited",
            "description": "More",
            "affected": [org.employee.pk],
        },
    )

    assert response["Location"] == reverse("portal:draft", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.short_description, draft.description) == ("Edited", "More")
    assert Ticket.objects.count() == 2


def test_the_limit_is_per_person(employee_client: Client, org: Org, two_per_hour: None) -> None:
    _file(employee_client, org, "First")
    _file(employee_client, org, "Second")
    colleague = Client()
    colleague.force_login(org.colleague)
    response = colleague.post(
        reverse("portal:new", args=["request"]),
        {"action": "submit", "short_description": "New laptop", "description": "Mine is slow"},
    )
    assert response["Location"].startswith("/portal/filed/") or "filed" in response["Location"]
    assert Ticket.objects.count() == 3
