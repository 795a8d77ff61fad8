"""Declaring, updating and resolving status entries, and scheduling maintenance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.conftest import Org
from servicedesk.outages.choices import StatusKind, UpdateStage
from servicedesk.outages.errors import StatusError, StatusErrorCode
from servicedesk.outages.models import StatusEntry, StatusUpdate
from servicedesk.outages.services import (
    maintenance_schedule,
    status_entry_declare,
    status_entry_resolve,
    status_entry_update,
)
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import ticket_create


def declare(org: Org, **changes: object) -> StatusEntry:
    arguments: dict[str, object] = {
        "actor": org.desk,
        "service": org.service,
        "kind": StatusKind.OUTAGE,
        "title": "Internet down",
        "message": "All offices.",
    } | changes
    return status_entry_declare(**arguments)  # type: ignore[arg-type]


def refusal(call: object) -> StatusErrorCode:
    with pytest.raises(StatusError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_a_declared_outage_is_current_from_now(org: Org) -> None:
    entry = declare(org)
    now = timezone.now()
    assert entry.is_current(now + timedelta(seconds=1))
    assert entry.created_by == org.desk
    assert entry.resolved_at is None


def test_only_staff_declare_and_nothing_is_written(org: Org) -> None:
    assert refusal(lambda: declare(org, actor=org.employee)) == StatusErrorCode.NOT_PERMITTED
    assert not StatusEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": "  "}, StatusErrorCode.REQUIRED),
        ({"message": ""}, StatusErrorCode.REQUIRED),
        ({"kind": StatusKind.MAINTENANCE}, StatusErrorCode.INVALID_KIND),
        ({"starts_at": timezone.now() + timedelta(hours=2)}, StatusErrorCode.STARTS_IN_THE_FUTURE),
        (
            {"starts_at": timezone.now(), "ends_at": timezone.now() - timedelta(minutes=1)},
            StatusErrorCode.END_BEFORE_START,
        ),
    ],
)
def test_bad_declarations_are_refused(
    org: Org, changes: dict[str, object], code: StatusErrorCode
) -> None:
    assert refusal(lambda: declare(org, **changes)) == code
    assert not StatusEntry.objects.exists()


def test_the_linked_ticket_must_be_an_incident(org: Org) -> None:
    request = ticket_create(actor=org.employee, kind=TicketKind.REQUEST, short_description="Mouse")
    error = refusal(lambda: declare(org, incident=request))
    assert error == StatusErrorCode.NOT_AN_INCIDENT


def test_maintenance_needs_an_end_after_its_start_and_in_the_future(org: Org) -> None:
    start = timezone.now() + timedelta(days=1)

    def schedule(starts_at: object, ends_at: object) -> StatusEntry:
        return maintenance_schedule(
            actor=org.desk,
            service=org.service,
            title="Upgrade",
            message="Drops",
            starts_at=starts_at,  # type: ignore[arg-type]
            ends_at=ends_at,  # type: ignore[arg-type]
        )

    assert refusal(lambda: schedule(start, start)) == StatusErrorCode.END_BEFORE_START
    past = timezone.now() - timedelta(days=2)
    assert refusal(lambda: schedule(past, past + timedelta(hours=1))) == (
        StatusErrorCode.ENDS_IN_THE_PAST
    )
    entry = schedule(start, start + timedelta(hours=2))
    assert entry.kind == StatusKind.MAINTENANCE
    assert not entry.is_current(timezone.now())
    assert entry.is_current(start + timedelta(hours=1))
    assert not entry.is_current(start + timedelta(hours=3))


def test_updates_are_kept_and_resolving_ends_the_entry(org: Org, email: Service) -> None:
    entry = declare(org, service=email)
    status_entry_update(entry, actor=org.desk, stage=UpdateStage.IDENTIFIED, message="Relay")
    status_entry_resolve(entry, actor=org.desk, message="")
    entry.refresh_from_db()
    assert entry.resolved_at is not None
    assert not entry.is_current(timezone.now())
    assert [(u.stage, u.message) for u in entry.updates.all()] == [
        (UpdateStage.RESOLVED, "Service is back to normal."),
        (UpdateStage.IDENTIFIED, "Relay"),
    ]
    again = refusal(lambda: status_entry_resolve(entry, actor=org.desk))
    assert again == StatusErrorCode.ALREADY_RESOLVED
    late = refusal(
        lambda: status_entry_update(
            entry, actor=org.desk, stage=UpdateStage.MONITORING, message="x"
        )
    )
    assert late == StatusErrorCode.ALREADY_RESOLVED
    assert StatusUpdate.objects.count() == 2


def test_an_update_at_the_resolved_stage_resolves(org: Org) -> None:
    entry = declare(org)
    status_entry_update(entry, actor=org.desk, stage=UpdateStage.RESOLVED, message="Fixed")
    entry.refresh_from_db()
    assert entry.resolved_at is not None


def test_employees_cannot_post_updates(org: Org) -> None:
    entry = declare(org)
    code = refusal(
        lambda: status_entry_update(
            entry, actor=org.employee, stage=UpdateStage.IDENTIFIED, message="x"
        )
    )
    assert code == StatusErrorCode.NOT_PERMITTED
    assert code == refusal(lambda: status_entry_resolve(entry, actor=org.employee))
    assert not entry.updates.exists()
