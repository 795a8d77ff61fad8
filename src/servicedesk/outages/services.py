"""Writes to the system status: declare, update and resolve an entry; schedule maintenance.

Only service desk staff write here. Each function is one transaction that either applies fully
or raises `StatusError` (code from `StatusErrorCode`) and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.directory.models import Person
from servicedesk.outages.choices import DECLARABLE_KINDS, StatusKind, UpdateStage
from servicedesk.outages.errors import StatusError, StatusErrorCode
from servicedesk.outages.models import StatusEntry, StatusUpdate
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket

# A clock a little ahead of ours must not make "now" look like the future.
CLOCK_TOLERANCE = timedelta(minutes=5)
RESOLVED_WORDS = "Service is back to normal."


def _refuse(code: StatusErrorCode, message: str, field: str | None = None) -> StatusError:
    return StatusError(code, message, field=field)


def _require_staff(actor: Person, what: str) -> None:
    if not actor.is_staff_member:
        raise _refuse(StatusErrorCode.NOT_PERMITTED, f"Only service desk staff can {what}.")


def _require_text(value: str, field: str, what: str) -> str:
    if not value.strip():
        raise _refuse(StatusErrorCode.REQUIRED, f"{what} is required.", field)
    return value.strip()


def _check_incident(incident: Ticket | None) -> None:
    if incident is not None and incident.kind != TicketKind.INCIDENT:
        raise _refuse(
            StatusErrorCode.NOT_AN_INCIDENT,
            f"{incident.number} is not an incident; link the incident the desk works under.",
            "incident",
        )


def _check_open(entry: StatusEntry) -> StatusEntry:
    current = StatusEntry.objects.select_for_update().get(pk=entry.pk)
    if current.resolved_at is not None:
        raise _refuse(
            StatusErrorCode.ALREADY_RESOLVED,
            f"“{current.title}” is already resolved; declare a new entry if it happens again.",
        )
    return current


@transaction.atomic
def status_entry_declare(
    *,
    actor: Person,
    service: Service,
    kind: StatusKind,
    title: str,
    message: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    incident: Ticket | None = None,
) -> StatusEntry:
    """An outage or degradation happening now (or since `starts_at`)."""
    _require_staff(actor, "declare an outage")
    if kind not in DECLARABLE_KINDS:
        raise _refuse(
            StatusErrorCode.INVALID_KIND,
            "Declare an outage or a degradation; schedule maintenance ahead instead.",
            "kind",
        )
    now = timezone.now()
    starts_at = starts_at or now
    if starts_at > now + CLOCK_TOLERANCE:
        raise _refuse(
            StatusErrorCode.STARTS_IN_THE_FUTURE,
            "An outage is declared once it has started; for planned work, schedule maintenance.",
            "starts_at",
        )
    if ends_at is not None and ends_at <= starts_at:
        raise _refuse(
            StatusErrorCode.END_BEFORE_START,
            "The expected end must be after the start.",
            "ends_at",
        )
    _check_incident(incident)
    return StatusEntry.objects.create(
        service=service,
        kind=kind,
        title=_require_text(title, "title", "A title"),
        message=_require_text(message, "message", "A message for employees"),
        starts_at=starts_at,
        ends_at=ends_at,
        incident=incident,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def maintenance_schedule(
    *,
    actor: Person,
    service: Service,
    title: str,
    message: str,
    starts_at: datetime,
    ends_at: datetime,
) -> StatusEntry:
    """Planned work with a window; it shows as upcoming, then current, then history."""
    _require_staff(actor, "schedule maintenance")
    if ends_at <= starts_at:
        raise _refuse(
            StatusErrorCode.END_BEFORE_START, "The end must be after the start.", "ends_at"
        )
    now = timezone.now()
    if ends_at <= now:
        raise _refuse(
            StatusErrorCode.ENDS_IN_THE_PAST,
            "This window has already ended; choose a window in the future.",
            "ends_at",
        )
    return StatusEntry.objects.create(
        service=service,
        kind=StatusKind.MAINTENANCE,
        title=_require_text(title, "title", "A title"),
        message=_require_text(message, "message", "A message for employees"),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )


def _add_update(
    entry: StatusEntry, actor: Person, stage: UpdateStage, message: str, at: datetime
) -> StatusUpdate:
    update = StatusUpdate.objects.create(
        entry=entry, stage=stage, message=message, author=actor, at=at
    )
    StatusEntry.objects.filter(pk=entry.pk).update(updated_at=at)
    entry.updated_at = at
    return update


@transaction.atomic
def status_entry_update(
    entry: StatusEntry, *, actor: Person, stage: UpdateStage, message: str
) -> StatusUpdate:
    """A public update; the stage "Resolved" resolves the entry as `status_entry_resolve` does."""
    _require_staff(actor, "post status updates")
    if stage not in UpdateStage.values:
        raise _refuse(StatusErrorCode.REQUIRED, "Choose where the work stands.", "stage")
    text = _require_text(message, "message", "The update")
    current = _check_open(entry)
    if stage == UpdateStage.RESOLVED:
        return _resolve(current, actor, text)
    return _add_update(current, actor, UpdateStage(stage), text, timezone.now())


def _resolve(entry: StatusEntry, actor: Person, message: str) -> StatusUpdate:
    now = timezone.now()
    update = _add_update(entry, actor, UpdateStage.RESOLVED, message or RESOLVED_WORDS, now)
    StatusEntry.objects.filter(pk=entry.pk).update(resolved_at=now)
    entry.resolved_at = now
    return update


@transaction.atomic
def status_entry_resolve(entry: StatusEntry, *, actor: Person, message: str = "") -> StatusEntry:
    """The service is back (or the maintenance finished early): the entry becomes history."""
    _require_staff(actor, "resolve status entries")
    current = _check_open(entry)
    _resolve(current, actor, message.strip())
    return current
