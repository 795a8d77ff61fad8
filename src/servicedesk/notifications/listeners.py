"""Who hears of which ticket event, and how: the one place the notification rules live.

Runs inside the service's transaction (see `tickets.events`): it only writes rows.

- `ticket.create`: the requester gets the acknowledgement with the number (always).
- a state change: the requester and each affected person get a status update; `resolved` is the
  resolution notice with the dispute link and deadline instead (always mailed).
- `comment.public`: by staff → the requester and affected people; by anyone else → the assignee.
- `ticket.assign`: the new assignee, in-app (and by mail if they want it).
- `ticket.create` / `ticket.assign` into a group with nobody assigned: the group's members or
  its lead (`SupportGroup.unassigned_notice`); the service-lead tier's lead always.
- watchers (`TicketWatcher`) hear what the requester hears, while the access policy lets them
  see the ticket.
- `ticket.link` duplicate_of: the first report's assignee (the incident management procedure, 5.6).
- `ticket.join` (an employee added themselves as affected): the assignee.
- `ticket.urgent` (a requester's urgent message): the assignee at once; without one, the
  assigned group; without a group, the service desk groups.
- `sla.warning` / `sla.breach`: the people the sweep names.
- `ticket.follow_up_due`: the assignee of scheduled maintenance quiet for a week (the school
district's SLA procedure).

Nobody is told about their own change, except that a requester always gets the acknowledgement.
Whoever is named here, only those the access policy lets know the ticket (and read the comment)
are told: `notify_people` asks it for each recipient.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings

from servicedesk.directory.choices import Tier, UnassignedNotice
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import NotificationKind as K
from servicedesk.notifications.services import notify_people, ticket_url
from servicedesk.tickets.access import may_see_ticket, who_may_know
from servicedesk.tickets.choices import LinkKind, TicketState
from servicedesk.tickets.events import QUIET, EventName, TicketEvent
from servicedesk.tickets.models import Ticket


def _followers(ticket: Ticket) -> list[Person | None]:
    """The requester, each affected person, and the watchers who may still see the ticket:
    who hears of status updates and public replies."""
    return [ticket.requester, *ticket.affected_people.all(), *_watchers(ticket)]


def _watchers(ticket: Ticket) -> list[Person]:
    watching = Person.objects.filter(watching__ticket=ticket, is_active=True)
    return [person for person in watching if may_see_ticket(person, ticket)]


def _landed_in_group(event: TicketEvent) -> None:
    """A ticket or task that lands in a group with nobody assigned tells the group (its members
    or its lead, as the group chooses); one reaching the service-lead tier tells the lead."""
    ticket = event.ticket
    group = ticket.assignment_group
    if group is None or ticket.assignee_id is not None:
        return
    if event.name != EventName.CREATE and "assignment_group" not in event.changes:
        return
    people: list[Person | None] = []
    if group.unassigned_notice == UnassignedNotice.MEMBERS:
        people += [*group.members.filter(is_active=True), group.lead]
    elif group.unassigned_notice == UnassignedNotice.LEAD or group.tier == Tier.SERVICE_LEAD:
        people.append(group.lead)
    if group.tier == Tier.SERVICE_LEAD and group.lead not in people:
        people.append(group.lead)
    notify_people(
        _except(people, event.actor),
        kind=K.ASSIGNMENT,
        title=f"{ticket.number} is in {group.name}'s queue, unassigned",
        body=ticket.short_description,
        ticket=ticket,
        event=event.name,
        event_key=f"group:{ticket.pk}:v{ticket.version}:{group.pk}",
    )


def _except(people: Iterable[Person | None], actor: Person | None) -> list[Person | None]:
    return [person for person in people if person is None or actor is None or person != actor]


def _state_label(value: str) -> str:
    try:
        return str(TicketState(value).label)
    except ValueError:
        return value


def _acknowledge(event: TicketEvent) -> None:
    ticket = event.ticket
    notify_people(
        [ticket.requester],
        kind=K.ACKNOWLEDGEMENT,
        title=f"{ticket.number} received: {ticket.short_description}",
        body="We received your request; you will hear from us when its status changes.",
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{ticket.pk}",
    )


def _state_changed(event: TicketEvent) -> None:
    ticket = event.ticket
    before, after = event.changes["state"]
    key = f"state:{ticket.pk}:v{ticket.version}"
    context: dict[str, object] = {
        "note": event.note,
        "state_label": _state_label(after),
        "previous_state_label": _state_label(before),
    }
    if after == TicketState.RESOLVED:
        days = settings.SERVICEDESK_DISPUTE_WINDOW_DAYS
        resolved_at = ticket.resolved_at or event.at
        context |= {
            "note": ticket.resolution_note or event.note,
            "dispute_days": days,
            "dispute_deadline": resolved_at + timedelta(days=days),
            "dispute_url": f"{ticket_url(ticket)}#dispute",
        }
        notify_people(
            _followers(ticket),
            kind=K.RESOLUTION,
            title=f"{ticket.number} resolved",
            body=f"{ticket.resolution_note}\nYou can dispute it within {days} days.",
            ticket=ticket,
            event=event.name,
            event_key=key,
            context=context,
        )
        return
    notify_people(
        _except(_followers(ticket), event.actor),
        kind=K.STATUS,
        title=f"{ticket.number} is now {_state_label(after).lower()}",
        body=event.note,
        ticket=ticket,
        event=event.name,
        event_key=key,
        context=context,
    )


def _public_reply(event: TicketEvent) -> None:
    comment = event.comment
    if comment is None:
        return
    ticket = event.ticket
    author = comment.author
    audience = _followers(ticket) if author.is_staff_member else [ticket.assignee]
    notify_people(
        _except(audience, author),
        kind=K.REPLY,
        title=f"{author} replied on {ticket.number}",
        body=comment.body[:500],
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{comment.pk}",
        context={"comment": comment},
        comment=comment,
    )


def _assigned(event: TicketEvent) -> None:
    ticket = event.ticket
    if "assignee" not in event.changes or ticket.assignee is None:
        return
    notify_people(
        _except([ticket.assignee], event.actor),
        kind=K.ASSIGNMENT,
        title=f"{ticket.number} is assigned to you",
        body=ticket.short_description,
        ticket=ticket,
        event=event.name,
        event_key=f"assign:{ticket.pk}:v{ticket.version}",
    )


def _urgent_audience(ticket: Ticket) -> list[Person]:
    """The assignee; without one, the assigned group's people; without a group, the people
    of the service desk groups, who triage new tickets."""
    if ticket.assignee is not None:
        return [ticket.assignee]
    if ticket.assignment_group is not None:
        group = ticket.assignment_group
        return [*group.members.filter(is_active=True), *([group.lead] if group.lead else [])]
    return list(
        Person.objects.filter(
            is_active=True,
            support_groups__tier=Tier.SERVICE_DESK,
            support_groups__is_active=True,
        ).distinct()
    )


def _urgent(event: TicketEvent) -> None:
    comment = event.comment
    if comment is None:
        return
    ticket = event.ticket
    notify_people(
        _except(_urgent_audience(ticket), event.actor),
        kind=K.URGENT,
        title=f"Urgent: {comment.author} on {ticket.number}",
        body=comment.body[:500],
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{comment.pk}",
        context={"comment": comment},
    )


def _duplicate(event: TicketEvent) -> None:
    link = event.link
    # Published once for each end of the link: answer only the duplicate's own event.
    if link is None or link.kind != LinkKind.DUPLICATE_OF or event.ticket.pk != link.source_id:
        return
    first, duplicate = link.target, link.source
    # The mail names the duplicate's requester and title: only for who may know that one too.
    notify_people(
        who_may_know(duplicate, _except([first.assignee], event.actor)),
        kind=K.DUPLICATE,
        title=f"{duplicate.number} is a duplicate of your {first.number}",
        body=f"{duplicate.requester} reported the same issue: {duplicate.short_description}",
        ticket=first,
        event=event.name,
        event_key=f"{event.name}:{link.pk}",
        context={"duplicate": duplicate},
    )


def _joined(event: TicketEvent) -> None:
    ticket = event.ticket
    notify_people(
        _except([ticket.assignee], event.actor),
        kind=K.GENERAL,
        title=f"{event.actor} is also affected by {ticket.number}",
        body=f"{event.actor} added themselves as affected: {ticket.short_description}",
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{ticket.pk}:{event.data.get('person')}",
    )


def _sla_alert(event: TicketEvent) -> None:
    raw = event.data.get("recipients", [])
    pks = [int(pk) for pk in raw] if isinstance(raw, list | tuple) else []
    breach = event.name == EventName.SLA_BREACH
    ticket = event.ticket
    notify_people(
        Person.objects.filter(pk__in=pks),
        kind=K.SLA_BREACH if breach else K.SLA_WARNING,
        title=f"{ticket.number}: {event.note}",
        body=event.note,
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{ticket.pk}:{event.data.get('metric')}:"
        f"{event.data.get('percent')}:{event.data.get('crossed_at')}",
        context={"note": event.note},
    )


def _follow_up_due(event: TicketEvent) -> None:
    raw = event.data.get("recipients", [])
    pks = [int(pk) for pk in raw] if isinstance(raw, list | tuple) else []
    ticket = event.ticket
    notify_people(
        Person.objects.filter(pk__in=pks),
        # No mail template of its own yet (that needs a notifications migration): the general
        # one carries the title and the note.
        kind=K.GENERAL,
        title=f"{ticket.number} needs its weekly status note",
        body=event.note,
        ticket=ticket,
        event=event.name,
        event_key=f"{event.name}:{ticket.pk}:{event.at.isoformat()}",
    )


def on_ticket_event(event: TicketEvent) -> None:
    if event.name == EventName.CREATE:
        _acknowledge(event)
    elif event.name == EventName.COMMENT_PUBLIC:
        _public_reply(event)
    elif event.name == EventName.LINK:
        _duplicate(event)
    elif event.name == EventName.JOIN:
        _joined(event)
    elif event.name in (EventName.SLA_WARNING, EventName.SLA_BREACH):
        _sla_alert(event)
    elif event.name == EventName.FOLLOW_UP_DUE:
        _follow_up_due(event)
    elif event.name == EventName.URGENT:
        _urgent(event)
    if event.name == EventName.ASSIGN:
        _assigned(event)
    if event.name in (EventName.CREATE, EventName.ASSIGN):
        _landed_in_group(event)
    if event.state_changed and event.name != EventName.CREATE and not event.data.get(QUIET):
        _state_changed(event)
