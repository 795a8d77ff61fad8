"""Writes of major incidents: declare, attach reports, resolve with everything linked.

A major incident is an open incident declared major by any service desk staff member: its ticket
becomes the parent, the reports of the same outage are attached as its children (CHILD_OF links,
so each keeps its own requester, SLA clocks and dispute window), the outage is posted on the
status page (or the one declared from is linked), and the incident team (the service's
communication plan) is told at once, in the app and by mail. Each function is one transaction
that applies fully or raises `MajorIncidentError` (or a `TicketError` from the ticket services)
and changes nothing. Events `major_incident.*` are published on the parent ticket for webhooks.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.directory.oncall import on_call_now
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.services import notify_people
from servicedesk.outages.choices import DeclaredFrom, StatusKind
from servicedesk.outages.errors import MajorIncidentError, MajorIncidentErrorCode
from servicedesk.outages.major_selectors import (
    children_of,
    incident_team,
    open_major_incident_for_service,
    plan_for,
)
from servicedesk.outages.messages import render_message
from servicedesk.outages.models import MajorIncident, StatusEntry
from servicedesk.outages.services import status_entry_declare
from servicedesk.tickets import history
from servicedesk.tickets.access import may_see_ticket, visible_tickets
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.events import TicketEvent, publish
from servicedesk.tickets.models import Ticket, TicketLink
from servicedesk.tickets.services import (
    problem_open_from,
    ticket_create,
    ticket_link,
    tickets_link_many,
)
from servicedesk.tickets.services.lifecycle import locked
from servicedesk.tickets.workflow import OPEN_STATES

E = MajorIncidentErrorCode
ATTACH_NUMBERS_SHOWN = 10


class MajorEvent:
    """Names of the events published on the parent ticket (and so of webhook event types)."""

    DECLARED = "major_incident.declared"
    ATTACHED = "major_incident.attached"
    UPDATED = "major_incident.updated"
    RESOLVED = "major_incident.resolved"


def refuse(code: MajorIncidentErrorCode, message: str, field: str | None = None) -> Exception:
    return MajorIncidentError(code, message, field=field)


def require_staff(actor: Person, what: str) -> None:
    if not actor.is_staff_member:
        raise refuse(E.NOT_PERMITTED, f"Only service desk staff can {what}.")


def require_open(major: MajorIncident) -> MajorIncident:
    current = MajorIncident.objects.select_for_update().select_related("ticket").get(pk=major.pk)
    if current.resolved_at is not None:
        raise refuse(E.ALREADY_RESOLVED, f"{current.ticket.number} is already resolved.")
    return current


def _check_declarable(actor: Person, ticket: Ticket) -> None:
    if not may_see_ticket(actor, ticket):
        raise refuse(E.NOT_VISIBLE, f"There is no incident {ticket.number} that you can see.")
    if ticket.kind != TicketKind.INCIDENT:
        raise refuse(E.NOT_AN_INCIDENT, f"{ticket.number} is not an incident.", "ticket")
    if ticket.state not in OPEN_STATES:
        raise refuse(
            E.TICKET_NOT_OPEN,
            f"{ticket.number} is {ticket.get_state_display().lower()}; a major incident is "
            "declared on an open incident.",
            "ticket",
        )
    if MajorIncident.objects.filter(ticket=ticket).exists():
        raise refuse(E.ALREADY_MAJOR, f"{ticket.number} is already a major incident.", "ticket")
    if ticket.service_id is None:
        raise refuse(
            E.NO_SERVICE,
            f"Set the service of {ticket.number} first: it decides who is told and what the "
            "status page shows.",
            "service",
        )


def _event(major: MajorIncident, name: str, actor: Person | None, **data: object) -> None:
    publish(TicketEvent(name, major.ticket, actor, timezone.now(), data=data))


def major_incident_url(major: MajorIncident) -> str:
    path = reverse("workspace:major_incident", args=[major.pk])
    return f"{settings.SERVICEDESK_BASE_URL}{path}"


def _tell_team(major: MajorIncident, actor: Person) -> list[str]:
    """In-app and mail to the incident team, now; the timeline records each name and why."""
    ticket = major.ticket
    plan = plan_for(ticket.service_id)
    on_call = (
        on_call_now(plan.on_call_group)
        if plan is not None and plan.on_call_group is not None
        else None
    )
    told = []
    for member in incident_team(major):
        context = {
            "ticket": ticket,
            "major": major,
            "why": member.why,
            "on_call": on_call,
            "url": major_incident_url(major),
        }
        message = render_message("declared", context)
        notify_people(
            [member.person],
            kind=NotificationKind.GENERAL,
            title=message.subject,
            body=message.text,
            ticket=ticket,
            event=MajorEvent.DECLARED,
            event_key=f"{MajorEvent.DECLARED}:{major.pk}",
        )
        told.append(f"{member.person} ({member.why})")
    history.record(ticket, actor, "major.notify", "told", "", "; ".join(told) or "nobody")
    return told


@transaction.atomic
def major_incident_declare(
    ticket: Ticket,
    *,
    actor: Person,
    declared_from: DeclaredFrom = DeclaredFrom.INCIDENT,
    status_entry: StatusEntry | None = None,
    public_message: str = "",
    children: Iterable[Ticket] = (),
) -> MajorIncident:
    """Declare `ticket` a major incident. With no status entry given, an outage is posted on
    the status page with `public_message` (required then)."""
    require_staff(actor, "declare a major incident")
    current = locked(ticket, None)
    _check_declarable(actor, current)
    if status_entry is None:
        if not public_message.strip():
            raise refuse(
                E.REQUIRED, "Write what employees read on the status page.", "public_message"
            )
        assert current.service is not None
        status_entry = status_entry_declare(
            actor=actor,
            service=current.service,
            kind=StatusKind.OUTAGE,
            title=current.short_description,
            message=public_message,
            incident=current,
        )
    elif status_entry.incident_id != current.pk:
        StatusEntry.objects.filter(pk=status_entry.pk).update(incident=current)
        status_entry.incident = current
    now = timezone.now()
    major = MajorIncident.objects.create(
        ticket=current,
        status_entry=status_entry,
        declared_from=declared_from,
        declared_by=actor,
        declared_at=now,
    )
    history.record(current, actor, "major.declare", "major_incident", "", str(major.pk))
    _attach(major, list(children), actor)
    told = _tell_team(major, actor)
    _event(major, MajorEvent.DECLARED, actor, major_incident=major.pk, told=len(told))
    return major


@transaction.atomic
def major_incident_declare_from_outage(
    entry: StatusEntry, *, actor: Person, children: Iterable[Ticket] = ()
) -> MajorIncident:
    """From an outage on the status page: its incident becomes the parent (one is opened for
    it when the outage has none)."""
    require_staff(actor, "declare a major incident")
    if entry.resolved_at is not None:
        raise refuse(E.TICKET_NOT_OPEN, f"“{entry.title}” is already resolved.")
    ticket = entry.incident
    if ticket is None:
        ticket = ticket_create(
            actor=actor,
            kind=TicketKind.INCIDENT,
            short_description=entry.title,
            description=entry.message,
            service=entry.service,
        )
    return major_incident_declare(
        ticket,
        actor=actor,
        declared_from=DeclaredFrom.OUTAGE,
        status_entry=entry,
        children=children,
    )


def _check_attachable(
    major: MajorIncident, ticket: Ticket, visible: set[int], majors: set[int]
) -> None:
    if ticket.pk not in visible:
        raise refuse(E.NOT_VISIBLE, f"There is no incident {ticket.number} that you can see.")
    if ticket.pk == major.ticket_id:
        raise refuse(E.ALREADY_ATTACHED, f"{ticket.number} is the major incident itself.")
    if ticket.kind != TicketKind.INCIDENT:
        raise refuse(E.NOT_AN_INCIDENT, f"{ticket.number} is not an incident; only reports attach.")
    if ticket.state not in OPEN_STATES:
        raise refuse(
            E.TICKET_NOT_OPEN,
            f"{ticket.number} is {ticket.get_state_display().lower()}; only open reports attach.",
        )
    if ticket.pk in majors:
        raise refuse(E.ALREADY_MAJOR, f"{ticket.number} is a major incident of its own.")


def _attach(major: MajorIncident, tickets: list[Ticket], actor: Person) -> list[Ticket]:
    """All or none; checked in three queries however many (a major incident may have 1,000)."""
    attached = set(children_of(major).values_list("pk", flat=True))
    fresh = [ticket for ticket in tickets if ticket.pk not in attached]
    ids = [ticket.pk for ticket in fresh]
    visible = set(visible_tickets(actor).filter(pk__in=ids).values_list("pk", flat=True))
    majors = set(
        MajorIncident.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True)
    )
    for ticket in fresh:
        _check_attachable(major, ticket, visible, majors)
    if fresh:
        tickets_link_many(fresh, major.ticket, actor=actor, kind=LinkKind.CHILD_OF)
        # One line for the timeline, however many were attached (each link has its own).
        numbers = ", ".join(ticket.number for ticket in fresh[:ATTACH_NUMBERS_SHOWN])
        more = len(fresh) - ATTACH_NUMBERS_SHOWN
        shown = f"{numbers} (+{more})" if more > 0 else numbers
        history.record(major.ticket, actor, "major.attach", "children", str(len(fresh)), shown)
    return fresh


@transaction.atomic
def major_incident_attach(
    major: MajorIncident, tickets: Iterable[Ticket], *, actor: Person
) -> list[Ticket]:
    """Attach reports as children; all or none. Returns those newly attached (attaching one
    already attached changes nothing)."""
    require_staff(actor, "attach reports to a major incident")
    current = require_open(major)
    chosen = list(tickets)
    if not chosen:
        raise refuse(E.REQUIRED, "Choose the reports to attach.", "tickets")
    fresh = _attach(current, chosen, actor)
    if fresh:
        _event(current, MajorEvent.ATTACHED, actor, tickets=",".join(t.number for t in fresh))
    return fresh


def major_incident_attach_report(ticket: Ticket, *, actor: Person) -> MajorIncident | None:
    """A new or repeated report (a monitoring event) on a service with an open major incident
    attaches itself; returns the major incident, or None when there is none to join."""
    major = open_major_incident_for_service(ticket.service_id)
    if major is None or major.ticket_id == ticket.pk or ticket.state not in OPEN_STATES:
        return None
    if ticket.kind != TicketKind.INCIDENT:
        return None
    if children_of(major).filter(pk=ticket.pk).exists():
        return major
    ticket_link(ticket, major.ticket, actor=actor, kind=LinkKind.CHILD_OF)
    return major


@transaction.atomic
def major_incident_set_all_users(
    major: MajorIncident, *, actor: Person, all_users: bool
) -> MajorIncident:
    require_staff(actor, "change the scope")
    current = require_open(major)
    if current.all_users != all_users:
        before = "all users" if current.all_users else "a subset"
        current.all_users = all_users
        current.save(update_fields=["all_users"])
        after = "all users" if all_users else "a subset"
        history.record(current.ticket, actor, "major.scope", "affects", before, after)
    return current


def major_incident_leave_on_dispute(event: TicketEvent) -> None:
    """A child disputed by its requester after the cascade resolved it leaves the parent: the
    major incident is over, their issue is not. (A listener of ticket events.)"""
    before, after = event.changes.get("state", ("", ""))
    if before != TicketState.RESOLVED or after != TicketState.IN_PROGRESS:
        return
    links = TicketLink.objects.filter(
        source=event.ticket,
        kind=LinkKind.CHILD_OF,
        target__major_incident__resolved_at__isnull=False,
        source__kind=TicketKind.INCIDENT,
    ).select_related("target")
    for link in links:
        parent = link.target
        link.delete()
        history.record(
            event.ticket, event.actor, "major.leave", "links", f"child of {parent.number}", ""
        )
        history.record(
            parent, event.actor, "major.leave", "links", f"{event.ticket.number} child of this", ""
        )


@transaction.atomic
def major_incident_record_root_cause(
    major: MajorIncident, *, actor: Person, root_cause: str, open_problem: bool = False
) -> MajorIncident:
    """The review's root cause; `open_problem` opens a problem for it, linked to the ticket."""
    require_staff(actor, "record a root cause")
    current = MajorIncident.objects.select_for_update().select_related("ticket").get(pk=major.pk)
    text = root_cause.strip()
    if not text:
        raise refuse(E.REQUIRED, "Describe the root cause.", "root_cause")
    before = current.root_cause
    current.root_cause = text
    if open_problem and current.problem_id is None:
        current.problem = problem_open_from(
            current.ticket, actor=actor, short_description=text.splitlines()[0][:160]
        )
    current.save(update_fields=["root_cause", "problem"])
    history.record(current.ticket, actor, "major.root_cause", "root_cause", before, text)
    return current


__all__ = [
    "MajorEvent",
    "major_incident_attach",
    "major_incident_attach_report",
    "major_incident_declare",
    "major_incident_declare_from_outage",
    "major_incident_leave_on_dispute",
    "major_incident_record_root_cause",
    "major_incident_set_all_users",
]
