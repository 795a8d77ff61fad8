"""The conversation around a ticket: comments, attachments and links to other tickets."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from servicedesk.core.editions import reads_configuration
from servicedesk.directory.models import Person
from servicedesk.sla.services import clocks_on_public_reply
from servicedesk.tickets import history
from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.events import EventName, TicketEvent, publish
from servicedesk.tickets.limits import check_lengths
from servicedesk.tickets.models import Attachment, Comment, Ticket, TicketLink, TicketWatcher
from servicedesk.tickets.services.lifecycle import locked, refuse, require_staff
from servicedesk.tickets.workflow import OPEN_STATES


def _touch(ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())


@reads_configuration  # before the transaction: one query, outside it
@transaction.atomic
def comment_add(
    ticket: Ticket,
    *,
    actor: Person,
    body: str,
    internal: bool = False,
    channel: Channel = Channel.PORTAL,
) -> Comment:
    """A public reply or, for staff only, an internal note. Comments don't raise the version:
    a requester's reply must never make an agent's pending edit stale."""
    check_lengths(body=body)
    if not body.strip():
        raise refuse(TicketErrorCode.EMPTY_COMMENT, "Write something before sending.", "body")
    if internal:
        require_staff(actor, "write internal notes")
    current = locked(ticket, None)
    comment = Comment.objects.create(
        ticket=current, author=actor, body=body.strip(), is_internal=internal, channel=channel
    )
    action = "comment.internal" if internal else "comment.public"
    history.record(current, actor, action, "comment", "", str(comment.pk))
    if not internal:
        clocks_on_public_reply(current, actor, comment.created_at)
    _touch(current)
    publish(TicketEvent(action, current, actor, comment.created_at, comment=comment))
    return comment


@transaction.atomic
def attachment_add(
    ticket: Ticket, *, actor: Person, upload: UploadedFile, comment: Comment | None = None
) -> Attachment:
    size = upload.size or 0
    name = display_name(upload.name)
    # Every face (portal, API, mail) comes through here, so the policy holds for all of them.
    refusal = upload_refusal_from_settings(name, size)
    if refusal:
        too_large = size > settings.SERVICEDESK_ATTACHMENT_MAX_BYTES
        code = (
            TicketErrorCode.ATTACHMENT_TOO_LARGE
            if too_large
            else TicketErrorCode.ATTACHMENT_FORBIDDEN_TYPE
        )
        raise refuse(code, refusal, "attachments")
    current = locked(ticket, None)
    # The type is ours to decide from the name, never the uploader's claim.
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        ticket=current,
        comment=comment,
        original_name=name,
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    history.record(current, actor, EventName.ATTACHMENT, "attachment", "", name)
    _touch(current)
    publish(
        TicketEvent(
            EventName.ATTACHMENT, current, actor, attachment.uploaded_at, attachment=attachment
        )
    )
    return attachment


@transaction.atomic
def ticket_link(source: Ticket, target: Ticket, *, actor: Person, kind: LinkKind) -> TicketLink:
    """Link `source` to `target`. A duplicate's requester joins the first report's affected
    people (the incident management procedure, 5.6), so one fix answers both."""
    require_staff(actor, "link tickets")
    if source.pk == target.pk:
        raise refuse(TicketErrorCode.LINK_TO_SELF, "A ticket cannot be linked to itself.", "target")
    first, second = sorted((source, target), key=lambda t: t.pk)
    locked(first, None)
    locked(second, None)
    if TicketLink.objects.filter(source=source, target=target, kind=kind).exists():
        raise refuse(
            TicketErrorCode.LINK_EXISTS,
            f"{source.number} is already {LinkKind(kind).label.lower()} {target.number}.",
            "target",
        )
    link = TicketLink.objects.create(source=source, target=target, kind=kind, created_by=actor)
    label = LinkKind(kind).label.lower()
    history.record(source, actor, "ticket.link", "links", "", f"{label} {target.number}")
    history.record(target, actor, "ticket.link", "links", "", f"{source.number} {label} this")
    if (
        kind == LinkKind.DUPLICATE_OF
        and not target.affected_people.filter(pk=source.requester_id).exists()
    ):
        before = history.people_text(target.affected_people.all())
        target.affected_people.add(source.requester_id)
        history.record(
            target,
            actor,
            "ticket.link",
            "affected_people",
            before,
            history.people_text(target.affected_people.all()),
        )
    _touch(source)
    _touch(target)
    for ticket in (source, target):
        publish(TicketEvent(EventName.LINK, ticket, actor, link.created_at, link=link))
    return link


@transaction.atomic
def ticket_join_as_affected(ticket: Ticket, *, person: Person) -> Ticket:
    """`person` says "this is my issue too": they join the affected people, so they follow the
    ticket and hear of every change instead of filing a duplicate. Joining twice changes nothing.

    Which tickets a person may join is the caller's to decide (`outages.deflection`); here only
    an open incident can be joined."""
    current = locked(ticket, None)
    if current.kind != TicketKind.INCIDENT or current.state not in OPEN_STATES:
        raise refuse(
            TicketErrorCode.NOT_PERMITTED,
            f"{current.number} is not an open incident; file a new ticket instead.",
        )
    if current.affected_people.filter(pk=person.pk).exists():
        return current
    before = history.people_text(current.affected_people.all())
    current.affected_people.add(person)
    after = history.people_text(current.affected_people.all())
    history.record(current, person, EventName.JOIN, "affected_people", before, after)
    now = timezone.now()
    Ticket.objects.filter(pk=current.pk).update(updated_at=now)
    current.updated_at = now
    publish(
        TicketEvent(
            EventName.JOIN,
            current,
            person,
            now,
            changes={"affected_people": (before, after)},
            data={"person": person.pk},
        )
    )
    return current


@transaction.atomic
def ticket_watch(ticket: Ticket, *, person: Person, watching: bool = True) -> bool:
    """Start (or stop) following a ticket's updates; only a ticket the person may see can be
    watched. Returns whether they watch it now. Doing it twice changes nothing."""
    from servicedesk.tickets.access import may_see_ticket

    current = locked(ticket, None)
    if watching and not may_see_ticket(person, current):
        raise refuse(TicketErrorCode.NOT_PERMITTED, f"You cannot watch {current.number}.")
    existing = TicketWatcher.objects.filter(ticket=current, person=person)
    if watching == existing.exists():
        return watching
    if watching:
        TicketWatcher.objects.create(ticket=current, person=person)
    else:
        existing.delete()
    action = "ticket.watch" if watching else "ticket.unwatch"
    history.record(current, person, action, "watchers", "", person.username)
    return watching


@transaction.atomic
def tickets_link_many(
    sources: list[Ticket], target: Ticket, *, actor: Person, kind: LinkKind
) -> list[TicketLink]:
    """Link many tickets to one (a major incident's reports to it) in a few statements: the
    links, both ends' history and the touch in bulk. Sources already linked are skipped. Each
    source publishes its link event, as `ticket_link` does; the target publishes one."""
    require_staff(actor, "link tickets")
    if any(source.pk == target.pk for source in sources):
        raise refuse(TicketErrorCode.LINK_TO_SELF, "A ticket cannot be linked to itself.", "target")
    locked(target, None)
    ids = [source.pk for source in sources]
    list(Ticket.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    linked = set(
        TicketLink.objects.filter(source_id__in=ids, target=target, kind=kind).values_list(
            "source_id", flat=True
        )
    )
    fresh = [source for source in sources if source.pk not in linked]
    if not fresh:
        return []
    now = timezone.now()
    links = TicketLink.objects.bulk_create(
        TicketLink(source=s, target=target, kind=kind, created_by=actor, created_at=now)
        for s in fresh
    )
    label = LinkKind(kind).label.lower()
    history.record_many(
        [(s, "links", f"{label} {target.number}") for s in fresh]
        + [(target, "links", f"{s.number} {label} this") for s in fresh],
        actor=actor,
        action="ticket.link",
        at=now,
    )
    Ticket.objects.filter(pk__in=[s.pk for s in fresh] + [target.pk]).update(updated_at=now)
    for link in links:
        publish(TicketEvent(EventName.LINK, link.source, actor, now, link=link))
    publish(TicketEvent(EventName.LINK, target, actor, now, link=links[0]))
    return links
