"""Resolving a major incident: the parent and every open child resolved quietly (each with a
templated note naming the major incident and its own dispute window), the outage moved to
history, and one resolution message per affected person listing their own tickets, however
many they are on; then the other audiences chosen, through the one composer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from servicedesk.directory.models import DistributionList, Person
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.services import notify_people
from servicedesk.outages.choices import Audience, CommunicationKind, UpdateStage
from servicedesk.outages.communications import (
    Reach,
    check_audiences,
    deliver,
    message_context,
    record_communication,
)
from servicedesk.outages.errors import MajorIncidentErrorCode as E
from servicedesk.outages.major import MajorEvent, refuse, require_open, require_staff
from servicedesk.outages.major_selectors import affected_people, children_of
from servicedesk.outages.messages import render_message
from servicedesk.outages.models import Communication, CommunicationSend, MajorIncident
from servicedesk.outages.services import status_entry_resolve
from servicedesk.tickets import history
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.events import TicketEvent, publish
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_transition
from servicedesk.tickets.workflow import OPEN_STATES


def _child_note(parent: Ticket, message: str) -> str:
    context = {"parent": parent, "message": message}
    return " ".join(render_to_string("outages/mail/child_note.txt", context).split())


def _tickets_by_person(tickets: list[Ticket]) -> dict[int, list[Ticket]]:
    """person id → the linked tickets they requested or are affected by."""
    through = Ticket.affected_people.through
    by_id = {ticket.pk: ticket for ticket in tickets}
    found: dict[int, list[Ticket]] = {}
    for ticket in tickets:
        found.setdefault(ticket.requester_id, []).append(ticket)
    for ticket_id, person_id in through.objects.filter(ticket_id__in=by_id).values_list(
        "ticket_id", "person_id"
    ):
        found.setdefault(person_id, []).append(by_id[ticket_id])
    return found


def _send_resolution(
    communication: Communication, major: MajorIncident, resolved: list[Ticket], reach: Reach
) -> CommunicationSend:
    """Everyone affected: one message each, naming their own tickets."""
    people = affected_people(major)
    fresh = reach.new_people(people)
    tickets_of = _tickets_by_person(resolved)
    base = message_context(communication, major)
    days = settings.SERVICEDESK_DISPUTE_WINDOW_DAYS
    for person in fresh:
        context = {
            **base,
            "message": communication.message,
            "tickets": sorted(tickets_of.get(person.pk, []), key=lambda t: t.number),
            "dispute_days": days,
        }
        message = render_message("resolved", context)
        notify_people(
            [person],
            kind=NotificationKind.GENERAL,
            title=message.subject,
            body=message.text,
            ticket=None,
            event=MajorEvent.RESOLVED,
            event_key=f"major-comm:{communication.pk}",
        )
    return CommunicationSend.objects.create(
        communication=communication,
        audience=Audience.AFFECTED,
        recipient_count=len(fresh),
        addresses=sorted(person.email.strip().lower() for person in fresh),
    )


def _resolve_tickets(major: MajorIncident, actor: Person, message: str) -> list[Ticket]:
    """The parent (its tasks still block) and each open child, quietly: the one resolution
    message below tells the people concerned."""
    parent = ticket_transition(
        major.ticket, actor=actor, version=None, to=TicketState.RESOLVED, note=message, quiet=True
    )
    note = _child_note(parent, message)
    resolved = [parent]
    for child in children_of(major).filter(state__in=OPEN_STATES).order_by("pk"):
        resolved.append(
            ticket_transition(
                child, actor=actor, version=None, to=TicketState.RESOLVED, note=note, quiet=True
            )
        )
    return resolved


@transaction.atomic
def major_incident_resolve(
    major: MajorIncident,
    *,
    actor: Person,
    message: str,
    audiences: Sequence[str] = (Audience.AFFECTED, Audience.STATUS_PAGE),
    partner_lists: Iterable[DistributionList] = (),
) -> Communication:
    """The service is back: resolve everything linked, tell everyone once, end the outage."""
    require_staff(actor, "resolve a major incident")
    current = require_open(major)
    text = message.strip()
    if not text:
        raise refuse(E.REQUIRED, "Say how the service was restored.", "message")
    chosen = check_audiences([*audiences, Audience.AFFECTED], internal=False)
    resolved = _resolve_tickets(current, actor, text)
    communication = Communication.objects.create(
        major_incident=current,
        kind=CommunicationKind.RESOLUTION,
        stage=UpdateStage.RESOLVED,
        message=text,
        audiences=[str(a) for a in chosen],
        author=actor,
    )
    communication.partner_lists.set(list(partner_lists))
    reach = Reach()
    sends = [_send_resolution(communication, current, resolved, reach)]
    others = [a for a in chosen if a not in (Audience.AFFECTED, Audience.STATUS_PAGE)]
    sends += deliver(communication, others, actor, reach)
    entry = current.status_entry
    if entry is not None and entry.resolved_at is None:
        status_entry_resolve(entry, actor=actor, message=text)
    now = timezone.now()
    current.resolved_at = now
    current.save(update_fields=["resolved_at"])
    record_communication(current, communication, sends, actor)
    history.record(current.ticket, actor, "major.resolve", "children", "", str(len(resolved) - 1))
    publish(
        TicketEvent(
            MajorEvent.RESOLVED, current.ticket, actor, now, data={"resolved": len(resolved)}
        )
    )
    return communication
