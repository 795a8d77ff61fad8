"""What an accepted message does to tickets: file one, or reply on one (and maybe reopen it).

Everything goes through `tickets.services`, so history, SLA clocks and notifications (the
acknowledgement of a mailed ticket included) follow exactly as they do for the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.directory.services import system_actor
from servicedesk.mail.choices import CcPolicy, UnknownSenderPolicy
from servicedesk.mail.models import Mailbox
from servicedesk.mail.parsing import ParsedAttachment, ParsedMessage
from servicedesk.mail.trimming import trim_reply
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.services import notify_people
from servicedesk.tickets.access import TicketAction, may, may_see_ticket
from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.limits import SHORT_DESCRIPTION_MAX, TEXT_MAX, cut_to
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.requester_rules import may_dispute, speaks_for
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_create,
    ticket_set_affected,
    ticket_transition,
    ticket_watch,
)
from servicedesk.tickets.services.lifecycle import RECEIVED_AT_MOST_AGO

NO_TEXT = "(The e-mail had no text.)"
CUT_MARKER = "\n\n(The e-mail was longer; the desk keeps the whole message in its mail log.)"


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    comment: Comment | None
    note: str


def known_sender(parsed: ParsedMessage) -> Person | None:
    """The directory's active person with the From address, if any."""
    return (
        Person.objects.filter(email__iexact=parsed.from_address, is_active=True)
        .order_by("pk")
        .first()
    )


def requester_for(parsed: ParsedMessage, mailbox: Mailbox) -> Person | None:
    """The directory's person with this address; or, if the desk allows it, a new requester."""
    known = known_sender(parsed)
    if known is not None or settings.SERVICEDESK_MAIL_UNKNOWN_SENDER != UnknownSenderPolicy.CREATE:
        return known
    first, _, last = parsed.from_name.partition(" ")
    person, _ = Person.objects.get_or_create(
        username=parsed.from_address[:150],
        defaults={
            "email": parsed.from_address,
            "first_name": first[:150],
            "last_name": last[:150],
            "role": Role.REQUESTER,
            "agency": mailbox.agency,
            # Signs in only after someone sets a password: mail alone proves little.
            "password": make_password(None),
        },
    )
    return person


def _sorted_attachments(parsed: ParsedMessage) -> tuple[list[ParsedAttachment], list[str]]:
    """(what the portal would accept, a sentence for each file it would refuse)."""
    accepted: list[ParsedAttachment] = []
    refused: list[str] = []
    for item in parsed.attachments:
        refusal = upload_refusal_from_settings(display_name(item.name), len(item.content))
        if refusal:
            refused.append(refusal)
        else:
            accepted.append(item)
    return accepted, refused


def _with_refusals(text: str, refused: list[str]) -> str:
    """The ticket's text notes each refused file, so that the agent knows something was sent."""
    return "\n\n".join([text, *refused]) if refused else text


def _attach(
    ticket: Ticket,
    actor: Person,
    accepted: list[ParsedAttachment],
    refused: list[str],
    comment: Comment | None,
) -> str:
    """Attach what the portal would accept, tell the sender what was refused and why; returns
    the refusals as a note for the mail log."""
    for item in accepted:
        upload = SimpleUploadedFile(
            display_name(item.name), item.content, content_type=item.content_type
        )
        attachment_add(ticket, actor=actor, upload=upload, comment=comment)
    if refused:
        notify_people(
            [actor],
            kind=NotificationKind.GENERAL,
            title=gettext("Attachments not accepted on %(number)s") % {"number": ticket.number},
            body="\n".join(refused),
            ticket=ticket,
            event="mail_attachment_refused",
            event_key=f"mail-attachment-refused:{ticket.pk}:{comment.pk if comment else 0}",
        )
    return " ".join(refused)


def file_ticket(
    mailbox: Mailbox,
    sender: Person,
    parsed: ParsedMessage,
    *,
    follows: Ticket | None = None,
    received_at: datetime | None = None,
) -> Outcome:
    """A new ticket of the mailbox's default kind for the sender, routed by the mailbox.

    Filed by the system person on the sender's behalf: routing to a group is the desk's to do,
    which a requester may not do themselves (see `ticket_create`). `received_at`, when the mail
    reached us: the ticket and its SLA clocks count from submission, as a portal ticket filed
    at that minute would, however long the mail waited to be processed.
    """
    description = parsed.text.strip() or NO_TEXT
    if follows is not None:
        description = (
            f"Follow-up to {follows.number}, which is {follows.get_state_display().lower()}.\n\n"
            f"{description}"
        )
    accepted, refused = _sorted_attachments(parsed)
    description = _with_refusals(cut_to(description, TEXT_MAX, CUT_MARKER), refused)
    ticket = ticket_create(
        actor=system_actor(),
        kind=TicketKind(mailbox.default_kind),
        requester=sender,
        short_description=(parsed.subject or "(no subject)")[:SHORT_DESCRIPTION_MAX],
        description=description,
        channel=Channel.EMAIL,
        agency=mailbox.agency,
        service=mailbox.service,
        assignment_group=mailbox.assignment_group,
        received_at=_submitted_at(received_at),
    )
    note = _attach(ticket, sender, accepted, refused, None)
    return Outcome(ticket, None, f"filed {ticket.number}. {note}".strip())


def _submitted_at(received_at: datetime | None) -> datetime | None:
    """When the ticket counts from: the mail's arrival, unless it is older than a desk may
    backdate (mail held in quarantine for weeks counts from its release)."""
    if received_at is None or timezone.now() - received_at > RECEIVED_AT_MOST_AGO:
        return None
    return min(received_at, timezone.now())


def reply_to_ticket(
    ticket: Ticket, sender: Person, parsed: ParsedMessage, *, mailbox: Mailbox
) -> Outcome:
    """A public comment with the quoted text trimmed; a requester's reply to a resolved ticket
    within the dispute window reopens it (the incident procedure's dispute by reply). A staff
    member's mail is only ever a comment, unless the mailbox is marked trusted."""
    accepted, refused = _sorted_attachments(parsed)
    body = _with_refusals(cut_to(trim_reply(parsed.text) or NO_TEXT, TEXT_MAX, CUT_MARKER), refused)
    comment = comment_add(ticket, actor=sender, body=body, channel=Channel.EMAIL)
    attached = _attach(ticket, sender, accepted, refused, comment)
    note = f"replied on {ticket.number}"
    current = Ticket.objects.get(pk=ticket.pk)
    may_change_state = mailbox.trusted or not sender.is_staff_member
    if (
        may_change_state
        and current.state == TicketState.RESOLVED
        and speaks_for(sender, current)
        and may_dispute(current, timezone.now())
    ):
        ticket_transition(
            current,
            actor=sender,
            version=None,
            to=TicketState.IN_PROGRESS,
            note="Reopened: the requester replied by e-mail within the dispute window.",
        )
        note += "; reopened it (dispute by e-mail)"
    return Outcome(ticket, comment, f"{note}. {attached}".strip())


def _may_widen(sender: Person, ticket: Ticket) -> bool:
    """Who may bring others onto a ticket by copying them: its requester (or filer), or staff
    who may work it."""
    return speaks_for(sender, ticket) or (
        sender.is_staff_member and may(sender, TicketAction.WORK, ticket)
    )


def add_copied_people(ticket: Ticket, *, sender: Person, people: list[Person], policy: str) -> str:
    """People in Cc become watchers or affected people (the mailbox's setting); returns a note
    for the mail log naming who was added and who was not."""
    current = Ticket.objects.get(pk=ticket.pk)
    others = [p for p in people if p.pk not in (current.requester_id, current.requested_by_id)]
    if policy == CcPolicy.NOBODY or not others or not _may_widen(sender, current):
        return ""
    if policy == CcPolicy.AFFECTED:
        affected = list(current.affected_people.all())
        new = [p for p in others if p not in affected]
        if new:
            ticket_set_affected(current, actor=sender, people=[*affected, *new])
        return f"Cc: {', '.join(p.email for p in new)} affected." if new else ""
    watching, unseen = [], []
    for person in others:
        if may_see_ticket(person, current):
            ticket_watch(current, person=person)
            watching.append(person.email)
        else:
            unseen.append(person.email)
    note = f"Cc: {', '.join(watching)} watch it." if watching else ""
    if unseen:
        note += f" Cc: {', '.join(unseen)} may not see the ticket, so not added."
    return note.strip()
