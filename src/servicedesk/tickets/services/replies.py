"""A requester's side of the conversation: replies with files, and the "urgent" flag.

"Urgent" (the state agency's filing procedure, 3b: "the employee can message the team directly") is
a public comment plus a `ticket.urgent` history entry naming that comment. It changes neither
priority nor state: those stay the desk's call. Reading the flag back: the history entry's `after`
is the comment's id. A `ticket.urgent` event is published too, for listeners such as notifications.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from servicedesk.directory.models import Person
from servicedesk.tickets import history
from servicedesk.tickets.errors import TicketErrorCode
from servicedesk.tickets.events import EventName, TicketEvent, publish
from servicedesk.tickets.models import Comment, Ticket
from servicedesk.tickets.requester_rules import may_flag_urgent, may_reply
from servicedesk.tickets.services.collaboration import attachment_add, comment_add
from servicedesk.tickets.services.drafts import check_uploads
from servicedesk.tickets.services.lifecycle import locked, refuse

URGENT_ACTION = EventName.URGENT


@transaction.atomic
def reply_add(
    ticket: Ticket,
    *,
    actor: Person,
    body: str,
    uploads: Iterable[UploadedFile] = (),
    urgent: bool = False,
) -> Comment:
    """A public reply with its files in one transaction; `urgent` also raises the flag."""
    files = list(uploads)
    check_uploads(files)
    current = locked(ticket, None)
    if not may_reply(current):
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()}; "
            "please file a new ticket instead.",
            "body",
        )
    if urgent and not may_flag_urgent(current):
        raise refuse(
            TicketErrorCode.ILLEGAL_TRANSITION,
            f"{current.number} is {current.get_state_display().lower()}; only open tickets "
            "can be flagged urgent.",
            "body",
        )
    comment = comment_add(current, actor=actor, body=body)
    for upload in files:
        attachment_add(current, actor=actor, upload=upload, comment=comment)
    if urgent:
        entry = history.record(current, actor, URGENT_ACTION, "urgent", "", str(comment.pk))
        # The reply itself already went out as `comment.public`; this lets listeners (say,
        # notifications) tell the whole team rather than only the assignee.
        publish(TicketEvent(URGENT_ACTION, current, actor, entry.at, comment=comment))
    return comment


@transaction.atomic
def comment_with_files_add(
    ticket: Ticket,
    *,
    actor: Person,
    body: str,
    internal: bool = False,
    uploads: Iterable[UploadedFile] = (),
) -> Comment:
    """The desk's reply or internal note with its files, all or nothing. Files on an internal
    note stay with staff (`tickets.access`)."""
    files = list(uploads)
    check_uploads(files)
    comment = comment_add(ticket, actor=actor, body=body, internal=internal)
    for upload in files:
        attachment_add(ticket, actor=actor, upload=upload, comment=comment)
    return comment
