"""`/events`: monitoring tools report problems and recoveries (staff tokens only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from servicedesk.api.auth import caller
from servicedesk.api.errors import WRITE_ERRORS
from servicedesk.api.monitoring import EventOutcome, MonitoringEvent, monitoring_event_receive
from servicedesk.api.schemas.events import EventIn, EventOut

router = Router(tags=["monitoring"])


@router.post("/events", response={200: EventOut, 201: EventOut, **WRITE_ERRORS})
def event_receive(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    """A `problem` opens an incident (201) or counts a repeat on the open one; an `ok` notes
    the recovery and resolves it. Safe to retry."""
    event = MonitoringEvent(**payload.model_dump())
    result = monitoring_event_receive(event, actor=caller(request))
    alert = result.alert
    body = {
        "outcome": result.outcome,
        "dedupe_key": event.key,
        "ticket": alert.ticket.number if alert else None,
        "occurrences": alert.occurrences if alert else 0,
    }
    return Status(201 if result.outcome == EventOutcome.OPENED else 200, body)
