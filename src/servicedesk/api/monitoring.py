"""Monitoring events → incidents (the incident management procedure, 5.1: "automated event
monitoring tools").

A `problem` opens an incident, or, while one is open for the same dedupe key, adds an internal
note and counts the repeat; an `ok` notes the recovery and (by setting) resolves the incident.
Retried or concurrent deliveries of the same event never open a second incident: the alert row
is locked while it is updated, and a partial unique index allows one open alert per key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.api.models import MonitoredResource, MonitoringAlert
from servicedesk.catalog.models import Service
from servicedesk.directory.models import Person
from servicedesk.outages.major import major_incident_attach_report
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError
from servicedesk.tickets.services import comment_add, ticket_create, ticket_transition
from servicedesk.tickets.services.lifecycle import require_staff
from servicedesk.tickets.workflow import OPEN_STATES


class EventState(StrEnum):
    PROBLEM = "problem"
    OK = "ok"


class EventOutcome(StrEnum):
    OPENED = "opened"  # a new incident
    REPEATED = "repeated"  # counted on the open incident
    RESOLVED = "resolved"  # ok: the incident was resolved
    CLEARED = "cleared"  # ok: noted, the incident left open for the desk
    IGNORED = "ignored"  # ok for a check with no open alert


@dataclass(frozen=True)
class MonitoringEvent:
    source: str
    resource: str
    check: str
    state: EventState
    message: str = ""
    dedupe_key: str = ""

    @property
    def key(self) -> str:
        return self.dedupe_key or f"{self.source}|{self.resource}|{self.check}"[:255]


@dataclass(frozen=True)
class EventResult:
    outcome: EventOutcome
    alert: MonitoringAlert | None


def service_for_resource(resource: str) -> Service | None:
    for mapping in MonitoredResource.objects.select_related("service"):
        if fnmatchcase(resource, mapping.pattern):
            return mapping.service
    return None


def _open_alert(key: str) -> MonitoringAlert | None:
    return (
        MonitoringAlert.objects.select_for_update()
        .select_related("ticket")
        .filter(dedupe_key=key, is_open=True)
        .first()
    )


def _close(alert: MonitoringAlert) -> None:
    alert.is_open = False
    alert.closed_at = timezone.now()
    alert.save(update_fields=["is_open", "closed_at"])


def _open_incident(event: MonitoringEvent, actor: Person) -> MonitoringAlert:
    title = f"{event.check} failing on {event.resource} ({event.source})"
    ticket = ticket_create(
        actor=actor,
        kind=TicketKind.INCIDENT,
        short_description=title[:160],
        description=event.message,
        channel=Channel.MONITORING,
        service=service_for_resource(event.resource),
    )
    # A failure on a service with an open major incident is one more report of it.
    major_incident_attach_report(ticket, actor=actor)
    return MonitoringAlert.objects.create(
        dedupe_key=event.key,
        source=event.source,
        resource=event.resource,
        check_name=event.check,
        ticket=ticket,
        last_message=event.message,
    )


def _repeat(alert: MonitoringAlert, event: MonitoringEvent, actor: Person) -> MonitoringAlert:
    alert.occurrences += 1
    alert.last_seen_at = timezone.now()
    alert.last_message = event.message
    alert.save(update_fields=["occurrences", "last_seen_at", "last_message"])
    note = f"Monitoring: still failing (occurrence {alert.occurrences})."
    comment_add(
        alert.ticket,
        actor=actor,
        body=f"{note}\n\n{event.message}".strip(),
        internal=True,
        channel=Channel.MONITORING,
    )
    # Repeating while a major incident is open on its service: it joins it (once).
    major_incident_attach_report(alert.ticket, actor=actor)
    return alert


def _problem(event: MonitoringEvent, actor: Person) -> EventResult:
    alert = _open_alert(event.key)
    if alert is not None and alert.ticket.state not in OPEN_STATES:
        _close(alert)  # the desk finished that incident; this is a new failure
        alert = None
    if alert is not None:
        return EventResult(EventOutcome.REPEATED, _repeat(alert, event, actor))
    try:
        with transaction.atomic():
            return EventResult(EventOutcome.OPENED, _open_incident(event, actor))
    except IntegrityError:
        # A concurrent delivery opened it first; its row is committed now, so count on it.
        alert = _open_alert(event.key)
        if alert is None:
            raise
        return EventResult(EventOutcome.REPEATED, _repeat(alert, event, actor))


def _ok(event: MonitoringEvent, actor: Person) -> EventResult:
    alert = _open_alert(event.key)
    if alert is None:
        return EventResult(EventOutcome.IGNORED, None)
    now = timezone.now()
    alert.cleared_at = alert.last_seen_at = now
    alert.save(update_fields=["cleared_at", "last_seen_at"])
    note = f"Monitoring: {event.check} on {event.resource} is ok again.\n\n{event.message}"
    ticket = alert.ticket
    if settings.SERVICEDESK_MONITORING_OK_RESOLVES and ticket.state in OPEN_STATES:
        try:
            ticket_transition(
                ticket, actor=actor, version=None, to=TicketState.RESOLVED, note=note.strip()
            )
        except TicketError as refused:
            # E.g. open tasks: the desk decides; say why it stayed open.
            comment_add(
                ticket,
                actor=actor,
                body=f"{note.strip()}\n\nNot resolved automatically: {refused.message}",
                internal=True,
                channel=Channel.MONITORING,
            )
            return EventResult(EventOutcome.CLEARED, alert)
        _close(alert)
        return EventResult(EventOutcome.RESOLVED, alert)
    comment_add(ticket, actor=actor, body=note.strip(), internal=True, channel=Channel.MONITORING)
    if ticket.state not in OPEN_STATES:
        _close(alert)
    return EventResult(EventOutcome.CLEARED, alert)


@transaction.atomic
def monitoring_event_receive(event: MonitoringEvent, *, actor: Person) -> EventResult:
    """Apply one event from a monitoring tool; the actor is the tool's (staff) token owner."""
    require_staff(actor, "send monitoring events")
    if event.state == EventState.PROBLEM:
        return _problem(event, actor)
    return _ok(event, actor)
