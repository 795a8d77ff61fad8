"""Communications of a major incident: one composer, many audiences; corrections; resolution.

An update is written once and sent to the audiences chosen (`Audience`): the status page (a
`StatusUpdate` on the outage), the phone greeting (a new `GreetingText`), partner distribution
lists, the named contacts of the agencies in scope, everyone affected, and the incident team.
Each audience's reach is recorded (`CommunicationSend`: count and addresses). Nobody gets one
communication twice: an address already reached by one audience is skipped by the next, and the
outbox refuses a second row for the same communication and address.

A correction rewrites the status page and greeting in place and mails the correction to exactly
the addresses the original reached; a withdrawal removes the update from the status page, puts
back the greeting that was in force before it, and tells the same people to disregard it.

Resolution, which sends through the same composer, is in `outages.resolution`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from servicedesk.directory.models import DistributionList, Person
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.services import mail_addresses, notify_people
from servicedesk.outages.choices import (
    EXTERNAL_AUDIENCES,
    MAILED_AUDIENCES,
    Audience,
    CommunicationKind,
    UpdateStage,
)
from servicedesk.outages.errors import MajorIncidentErrorCode as E
from servicedesk.outages.major import MajorEvent, refuse, require_open, require_staff
from servicedesk.outages.major_selectors import (
    affected_people,
    incident_team,
    major_scope,
    named_contacts,
    plan_for,
)
from servicedesk.outages.messages import render_message
from servicedesk.outages.models import (
    Communication,
    CommunicationSend,
    GreetingText,
    MajorIncident,
    StatusUpdate,
)
from servicedesk.outages.services import status_entry_update
from servicedesk.tickets import history
from servicedesk.tickets.events import TicketEvent, publish


@dataclass
class Reach:
    """Who one communication reached so far: each address once."""

    addresses: set[str] = field(default_factory=set)

    def new_people(self, people: Iterable[Person]) -> list[Person]:
        fresh: dict[str, Person] = {}
        for person in people:
            address = person.email.strip().lower()
            if person.is_active and address and address not in self.addresses:
                fresh.setdefault(address, person)
        self.addresses.update(fresh)
        return list(fresh.values())

    def new_addresses(self, addresses: Iterable[str]) -> list[str]:
        fresh = [a for a in dict.fromkeys(a.strip().lower() for a in addresses) if a]
        fresh = [a for a in fresh if a not in self.addresses]
        self.addresses.update(fresh)
        return fresh


def check_audiences(audiences: Sequence[str], internal: bool) -> list[Audience]:
    if not audiences:
        raise refuse(E.REQUIRED, "Choose at least one audience.", "audiences")
    unknown = [name for name in audiences if name not in Audience.values]
    if unknown:
        known = ", ".join(Audience.values)
        raise refuse(
            E.UNKNOWN_AUDIENCE,
            f"“{unknown[0]}” is not an audience; choose from {known}.",
            "audiences",
        )
    chosen = list(dict.fromkeys(Audience(name) for name in audiences))
    if internal and EXTERNAL_AUDIENCES.intersection(chosen):
        raise refuse(
            E.INTERNAL_TO_EXTERNAL,
            "An internal note goes to the incident team only, never to an external audience.",
            "audiences",
        )
    return chosen


def message_context(communication: Communication, major: MajorIncident) -> dict[str, object]:
    ticket = major.ticket
    return {
        "communication": communication,
        "original": communication.corrects,
        "service": ticket.service.name if ticket.service else "",
        "title": ticket.short_description,
        "stage": UpdateStage(communication.stage).label,
        "ticket": ticket,
    }


def _mail_people(communication: Communication, people: list[Person], event_key: str) -> None:
    message = render_message("update", message_context(communication, communication.major_incident))
    notify_people(
        people,
        kind=NotificationKind.GENERAL,
        title=message.subject,
        body=message.text,
        ticket=None,
        event=MajorEvent.UPDATED,
        event_key=event_key,
    )


def _send_people(
    communication: Communication, audience: Audience, people: Iterable[Person], reach: Reach
) -> CommunicationSend:
    fresh = reach.new_people(people)
    if fresh:
        _mail_people(communication, fresh, f"major-comm:{communication.pk}")
    return CommunicationSend.objects.create(
        communication=communication,
        audience=audience,
        recipient_count=len(fresh),
        addresses=sorted(person.email.strip().lower() for person in fresh),
    )


def _partner_lists(communication: Communication) -> list[DistributionList]:
    chosen = list(communication.partner_lists.all())
    if chosen:
        return chosen
    plan = plan_for(communication.major_incident.ticket.service_id)
    return list(plan.partner_lists.all()) if plan is not None else []


def _send_partners(communication: Communication, reach: Reach) -> CommunicationSend:
    addresses = [a for lst in _partner_lists(communication) for a in lst.address_list()]
    fresh = reach.new_addresses(addresses)
    if fresh:
        message = render_message(
            "update", message_context(communication, communication.major_incident)
        )
        mail_addresses(
            fresh,
            subject=message.subject,
            text=message.text,
            event=MajorEvent.UPDATED,
            event_key=f"major-comm:{communication.pk}",
        )
    return CommunicationSend.objects.create(
        communication=communication,
        audience=Audience.PARTNERS,
        recipient_count=len(fresh),
        addresses=sorted(fresh),
    )


def _send_status_page(communication: Communication, actor: Person) -> CommunicationSend:
    entry = communication.major_incident.status_entry
    count = 0
    if entry is not None and entry.resolved_at is None:
        update = status_entry_update(
            entry,
            actor=actor,
            stage=UpdateStage(communication.stage),
            message=communication.message,
        )
        communication.status_update = update
        communication.save(update_fields=["status_update"])
        count = 1
    return CommunicationSend.objects.create(
        communication=communication, audience=Audience.STATUS_PAGE, recipient_count=count
    )


def greeting_publish(
    text: str, *, actor: Person | None, communication: Communication | None
) -> GreetingText:
    return GreetingText.objects.create(
        text=text.strip(), published_by=actor, communication=communication
    )


def _send_greeting(communication: Communication, actor: Person) -> CommunicationSend:
    greeting_publish(communication.message, actor=actor, communication=communication)
    return CommunicationSend.objects.create(
        communication=communication, audience=Audience.GREETING, recipient_count=1
    )


def deliver(
    communication: Communication,
    audiences: list[Audience],
    actor: Person,
    reach: Reach | None = None,
) -> list[CommunicationSend]:
    major = communication.major_incident
    reach = reach or Reach()
    sends = []
    for audience in audiences:
        if audience == Audience.STATUS_PAGE:
            sends.append(_send_status_page(communication, actor))
        elif audience == Audience.GREETING:
            sends.append(_send_greeting(communication, actor))
        elif audience == Audience.PARTNERS:
            sends.append(_send_partners(communication, reach))
        elif audience == Audience.CONTACTS:
            sends.append(_send_people(communication, audience, named_contacts(major), reach))
        elif audience == Audience.AFFECTED:
            sends.append(_send_people(communication, audience, affected_people(major), reach))
        elif audience == Audience.TEAM:
            team = [told.person for told in incident_team(major)]
            if major.ticket.assignee is not None:
                team.append(major.ticket.assignee)
            sends.append(_send_people(communication, audience, team, reach))
    return sends


def record_communication(
    major: MajorIncident,
    communication: Communication,
    sends: list[CommunicationSend],
    actor: Person,
) -> None:
    reached = ", ".join(f"{send.audience}: {send.recipient_count}" for send in sends)
    action = f"major.{communication.kind}"
    history.record(major.ticket, actor, action, "audiences", "", reached)
    # The scope as it stood when this went out: the same numbers the page and the review show.
    scope = major_scope(major)
    data = {
        "communication": communication.pk,
        "kind": communication.kind,
        "sent": reached,
        "scope_tickets": scope.tickets,
        "scope_people": scope.people,
    }
    publish(TicketEvent(MajorEvent.UPDATED, major.ticket, actor, communication.at, data=data))


@transaction.atomic
def major_incident_update(
    major: MajorIncident,
    *,
    actor: Person,
    stage: str,
    message: str,
    audiences: Sequence[str],
    partner_lists: Iterable[DistributionList] = (),
    internal: bool = False,
) -> Communication:
    """Write one update and send it to the audiences chosen."""
    require_staff(actor, "send updates")
    current = require_open(major)
    text = message.strip()
    if not text:
        raise refuse(E.REQUIRED, "Write the update before sending it.", "message")
    if stage not in UpdateStage.values or stage == UpdateStage.RESOLVED:
        raise refuse(
            E.REQUIRED,
            "Choose investigating, identified or monitoring; resolve the incident to resolve.",
            "stage",
        )
    chosen = check_audiences(audiences, internal)
    communication = Communication.objects.create(
        major_incident=current,
        kind=CommunicationKind.UPDATE,
        stage=stage,
        message=text,
        is_internal=internal,
        audiences=[str(a) for a in chosen],
        author=actor,
    )
    communication.partner_lists.set(list(partner_lists))
    sends = deliver(communication, chosen, actor)
    record_communication(current, communication, sends, actor)
    return communication


def _greeting_before(original: Communication) -> str:
    first = GreetingText.objects.filter(communication=original).order_by("published_at").first()
    if first is None:
        return ""
    earlier = GreetingText.objects.filter(published_at__lt=first.published_at).exclude(
        communication__major_incident=original.major_incident
    )
    previous = earlier.order_by("-published_at", "-id").first()
    return previous.text if previous else ""


def _greeting_is_from(original: Communication) -> bool:
    latest = GreetingText.objects.order_by("-published_at", "-id").first()
    if latest is None or latest.communication is None:
        return False
    return latest.communication_id == original.pk or latest.communication.corrects_id == original.pk


def _correct_in_place(original: Communication, correction: Communication, actor: Person) -> None:
    withdraw = correction.kind == CommunicationKind.WITHDRAWAL
    if original.status_update_id is not None:
        rows = StatusUpdate.objects.filter(pk=original.status_update_id)
        if withdraw:
            rows.delete()
        else:
            rows.update(message=correction.message)
    if Audience.GREETING in original.audiences and _greeting_is_from(original):
        text = _greeting_before(original) if withdraw else correction.message
        greeting_publish(text, actor=actor, communication=correction)


def _resend(original: Communication, correction: Communication) -> list[CommunicationSend]:
    """The correction goes to exactly the addresses the original reached by mail."""
    sends = []
    people_by_address: dict[str, Person] = {}
    mailed = original.sends.filter(audience__in=[str(a) for a in MAILED_AUDIENCES])
    all_addresses = [a for send in mailed for a in send.addresses]
    for person in Person.objects.filter(email__in=all_addresses, is_active=True):
        people_by_address.setdefault(person.email.strip().lower(), person)
    key = f"major-comm:{correction.pk}"
    message = render_message("update", message_context(correction, correction.major_incident))
    for send in mailed:
        people = [people_by_address[a] for a in send.addresses if a in people_by_address]
        others = [a for a in send.addresses if a not in people_by_address]
        if people:
            _mail_people(correction, people, key)
        if others:
            mail_addresses(
                others,
                subject=message.subject,
                text=message.text,
                event=MajorEvent.UPDATED,
                event_key=key,
            )
        sends.append(
            CommunicationSend.objects.create(
                communication=correction,
                audience=send.audience,
                recipient_count=len(send.addresses),
                addresses=send.addresses,
            )
        )
    return sends


@transaction.atomic
def major_incident_correct(
    original: Communication, *, actor: Person, message: str = "", withdraw: bool = False
) -> Communication:
    """Correct (new words) or withdraw an earlier update everywhere it went."""
    require_staff(actor, "correct updates")
    major = require_open(original.major_incident)
    if original.kind not in (CommunicationKind.UPDATE,):
        raise refuse(E.NOT_CORRECTABLE, "Only an update can be corrected or withdrawn.")
    text = message.strip()
    if not withdraw and not text:
        raise refuse(E.REQUIRED, "Write the corrected text.", "message")
    if original.corrections.filter(kind=CommunicationKind.WITHDRAWAL).exists():
        raise refuse(E.NOT_CORRECTABLE, "This update has already been withdrawn.")
    correction = Communication.objects.create(
        major_incident=major,
        kind=CommunicationKind.WITHDRAWAL if withdraw else CommunicationKind.CORRECTION,
        stage=original.stage,
        message=text,
        is_internal=original.is_internal,
        audiences=original.audiences,
        corrects=original,
        author=actor,
    )
    _correct_in_place(original, correction, actor)
    sends = _resend(original, correction)
    record_communication(major, correction, sends, actor)
    return correction


def current_greeting() -> GreetingText | None:
    return GreetingText.objects.order_by("-published_at", "-id").first()
