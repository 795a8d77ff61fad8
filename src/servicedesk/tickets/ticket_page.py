"""What a requester sees on a ticket's page: its summary, the public timeline, what comes next.

Reads only, always through `tickets.access`. The timeline is public by construction: comments
that are internal notes are left out even for staff looking at the portal, and history entries
are put into words from an allow-list of fields, so a new tracked field never leaks by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.catalog.choices import Priority
from servicedesk.directory.models import Person
from servicedesk.directory.services import SYSTEM_USERNAME
from servicedesk.sla.selectors import promises_in_words
from servicedesk.tickets.access import (
    Viewer,
    visible_attachments,
    visible_comments,
    visible_tickets,
)
from servicedesk.tickets.access_in_hand import public_comments_and_files_on
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import (
    Attachment,
    Comment,
    RequestAnswer,
    SatisfactionSurvey,
    Ticket,
    TicketHistory,
)
from servicedesk.tickets.numbered_read import visible_ticket_read
from servicedesk.tickets.page_keys import page_key, page_key_ticket_id
from servicedesk.tickets.requester_rules import (
    dispute_deadline,
    may_dispute,
    may_flag_urgent,
    may_reply,
    speaks_for,
)
from servicedesk.tickets.ticket_reads import (
    affected_people,
    files_by_comment,
    public_history,
    request_answers,
    ticket_survey,
    urgent_comment_ids,
)
from servicedesk.tickets.workflow import FINAL_STATES

TARGET_TIMES_PENDING = "Target times appear once the desk triages your ticket."

NEXT_STEP = {
    TicketState.NEW: "The service desk will review your ticket, rank its impact and severity, "
    "and assign it to the right team.",
    TicketState.ASSIGNED: "A support team has your ticket and will start on it soon.",
    TicketState.IN_PROGRESS: "Someone is working on your ticket.",
    TicketState.AWAITING_CUSTOMER: "The desk is waiting for your answer: please reply below.",
    TicketState.AWAITING_VENDOR: "The desk is waiting for an outside supplier.",
    TicketState.RESOLVED: "The desk believes this is fixed. Confirm it, or tell them what is "
    "still wrong.",
    TicketState.CLOSED: "This ticket is closed.",
    TicketState.CANCELLED: "This ticket was cancelled.",
    TicketState.REDIRECTED: "This belongs to another help desk; see the last entry below.",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    text: str
    comment_id: int | None = None
    from_desk: bool = False
    urgent: bool = False
    attachments: tuple[Attachment, ...] = field(default=())

    @property
    def is_comment(self) -> bool:
        return self.comment_id is not None


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    timeline: list[TimelineEntry]
    files: list[Attachment]
    fingerprint: str
    next_step: str
    target_times: str
    is_final: bool
    speaks_for_ticket: bool
    may_confirm: bool
    may_dispute: bool
    dispute_until: datetime | None
    may_reply: bool
    may_flag_urgent: bool
    survey_due: bool
    survey: SatisfactionSurvey | None
    answers: list[RequestAnswer]
    affected: list[Person]
    # Handed to the page's live poll: see `unchanged_since`.
    live_key: str = ""


def fingerprint_of(version: int, updated_at: datetime) -> str:
    """Changes whenever the ticket does: every service raises `version` or `updated_at`."""
    return f"{version}-{updated_at.timestamp():.6f}"


LIVE_KEY_SALT = "servicedesk.tickets.live"


def live_key_for(viewer: Person, ticket: Ticket) -> str:
    """The key the page gives its live poll (`tickets.page_keys`)."""
    return page_key(LIVE_KEY_SALT, viewer, ticket)


def unchanged_since(key: str, number: str, since: str, session_person_id: str | None) -> bool:
    """Whether ticket `number` is still at fingerprint `since`, asked with a key this page
    handed to the person signed in on this session: one look-up by the ticket's id, no join,
    no person row. False for anything else (no key, someone else's, older than a session, a
    change): the poll then takes the full road through the access policy, as every change of
    who may see the ticket raises the ticket's `updated_at`."""
    ticket_id = page_key_ticket_id(LIVE_KEY_SALT, key, number, session_person_id)
    if not since or ticket_id is None:
        return False
    found = (
        Ticket.objects.filter(pk=ticket_id).order_by().values_list("version", "updated_at").first()
    )
    return found is not None and fingerprint_of(*found) == since


def ticket_fingerprint(viewer: Viewer, number: str) -> str | None:
    """One indexed query, no joins beyond scoping: what the live-update poll costs."""
    row = visible_tickets(viewer).filter(number=number.upper()).values_list("version", "updated_at")
    found = row.first()
    return None if found is None else fingerprint_of(*found)


def _is_system(person: Person | None) -> bool:
    return person is None or person.username == SYSTEM_USERNAME


def _name(person: Person | None) -> str:
    return "Servicedesk (automatic)" if _is_system(person) else str(person)


def _event_text(entry: TicketHistory, ticket: Ticket) -> str | None:
    after = entry.after
    if entry.field == "number":
        return "Ticket filed."
    if entry.field == "state" and after in TicketState.values:
        if entry.before == TicketState.RESOLVED and after == TicketState.IN_PROGRESS:
            return "Reopened: the resolution was disputed."
        return f"State changed to {TicketState(after).label.lower()}."
    if entry.field == "assignment_group" and after:
        return f"Assigned to the {after.partition(':')[2]} team."
    if entry.field == "priority" and after in Priority.values:
        return f"Priority set to {Priority(after).label}."
    if entry.field == "resolution_note" and after:
        return f"Resolution: {after}"
    # Transition notes are the desk's working notes unless the requester's side wrote them
    # (a dispute's reason); the automatic closure's note is public by nature.
    if entry.field == "note" and (
        _is_system(entry.actor) or (entry.actor and speaks_for(entry.actor, ticket))
    ):
        return f"Reason: {after}"
    return None


def _events(ticket: Ticket) -> Iterable[TimelineEntry]:
    for entry in public_history(ticket):
        text = _event_text(entry, ticket)
        if text:
            yield TimelineEntry(
                at=entry.at,
                who=_name(entry.actor),
                text=text,
                from_desk=bool(entry.actor and entry.actor.is_staff_member),
            )


def _timeline(
    ticket: Ticket, comments: Iterable[Comment], files: list[Attachment]
) -> list[TimelineEntry]:
    urgent_ids = urgent_comment_ids(ticket)
    by_comment = files_by_comment(files)
    entries = [
        TimelineEntry(
            at=comment.created_at,
            who=_name(comment.author),
            text=comment.body,
            comment_id=comment.pk,
            from_desk=comment.author.is_staff_member,
            urgent=comment.pk in urgent_ids,
            attachments=tuple(by_comment.get(comment.pk, ())),
        )
        for comment in comments
    ]
    entries.extend(_events(ticket))
    return sorted(entries, key=lambda entry: entry.at)


def _target_times(ticket: Ticket, viewer: Person) -> str:
    """What the clocks promise; nothing once the desk has resolved the ticket (the clocks have
    stopped, and "once the desk triages" would be untrue)."""
    if ticket.state == TicketState.RESOLVED or ticket.state in FINAL_STATES:
        return ""
    return promises_in_words(ticket, viewer.time_zone) or TARGET_TIMES_PENDING


def _with_people(numbered: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return numbered.select_related("assignment_group", "requester", "requested_by")


def ticket_page(viewer: Person, number: str) -> TicketPage:
    """Raises Ticket.DoesNotExist for a ticket that is missing *or* not the viewer's to see."""
    ticket = visible_ticket_read(viewer, number, _with_people, "portal page")
    survey = ticket_survey(ticket)
    answers_for_it = speaks_for(viewer, ticket)
    is_resolved = ticket.state == TicketState.RESOLVED
    comments, readable_files = public_comments_and_files_on(viewer, ticket)
    files = list(readable_files)
    return TicketPage(
        ticket=ticket,
        timeline=_timeline(ticket, comments, files),
        files=[attachment for attachment in files if attachment.comment_id is None],
        fingerprint=fingerprint_of(ticket.version, ticket.updated_at),
        next_step=NEXT_STEP[TicketState(ticket.state)],
        target_times=_target_times(ticket, viewer),
        is_final=ticket.state in FINAL_STATES,
        speaks_for_ticket=answers_for_it,
        may_confirm=answers_for_it and is_resolved,
        may_dispute=answers_for_it and may_dispute(ticket, timezone.now()),
        dispute_until=dispute_deadline(ticket),
        may_reply=may_reply(ticket),
        may_flag_urgent=may_flag_urgent(ticket),
        survey_due=answers_for_it and ticket.state == TicketState.CLOSED and survey is None,
        survey=survey,
        answers=request_answers(ticket),
        affected=affected_people(ticket),
        live_key=live_key_for(viewer, ticket),
    )


def comment_get(viewer: Viewer, number: str, pk: int) -> Comment:
    """A public comment on a ticket the viewer may see; DoesNotExist for anything else."""
    return (
        visible_comments(viewer)
        .filter(is_internal=False, ticket__number=number.upper())
        .select_related("ticket")
        .get(pk=pk)
    )


def attachment_get(viewer: Viewer, pk: int) -> Attachment:
    """Raises Attachment.DoesNotExist for a file that is missing *or* not the viewer's."""
    return visible_attachments(viewer).get(pk=pk)
