"""The access policy (`tickets.access`) asked of tickets already in hand, on their rows.

A page that has read its ticket through the policy, or a list of tickets linked to it, need not
have the database check the viewer's whole reach again for every further read: the condition of
`tickets.access` for a scoped agent (the tickets they follow, their groups', their agencies')
costs PostgreSQL more to plan than the ticket's comments cost to read. The same rule is checked
here on the rows in memory (`access._knows_in_memory`), with one query for the affected people
only when the viewer is in none of a ticket's other reaches.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.tickets.access import TicketAction, Viewer, _knows_in_memory, _signed_in
from servicedesk.tickets.models import Attachment, Comment, Ticket


def known_among(viewer: Viewer, tickets: Iterable[Ticket]) -> set[int]:
    """The ids of those of `tickets` the viewer may know."""
    person = _signed_in(viewer)
    if person is None:
        return set()
    rows = list(tickets)
    known = {ticket.pk for ticket in rows if _knows_in_memory(person, ticket, set())}
    rest = [ticket.pk for ticket in rows if ticket.pk not in known]
    if rest:
        affected = Ticket.affected_people.through.objects.filter(
            ticket_id__in=rest, person_id=person.pk
        )
        known.update(affected.values_list("ticket_id", flat=True))
    return known


def may_in_hand(viewer: Viewer, action: TicketAction, ticket: Ticket) -> bool:
    """`access.may` for KNOW, READ_INTERNAL and WORK, checked on the row in hand."""
    person = _signed_in(viewer)
    if person is None or action == TicketAction.JOIN:
        return False
    staff_only = action in (TicketAction.READ_INTERNAL, TicketAction.WORK)
    if staff_only and not person.is_staff_member:
        return False
    return ticket.pk in known_among(person, [ticket])


def _comments(ticket_id: int) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(ticket_id=ticket_id)
        .select_related("author")
        .order_by("created_at", "id")
    )


def _public_comments(ticket_id: int) -> QuerySet[Comment]:
    return _comments(ticket_id).filter(is_internal=False)


def _files(ticket_id: int) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(ticket_id=ticket_id)
        .select_related("comment", "uploaded_by")
        .order_by("id")
    )


def _public_files(ticket_id: int) -> QuerySet[Attachment]:
    return _files(ticket_id).filter(Q(comment__isnull=True) | Q(comment__is_internal=False))


# Read on every ticket's page: compiled once (`core.kept_queries`).
_COMMENTS, _PUBLIC_COMMENTS = KeptQuery(_comments), KeptQuery(_public_comments)
_FILES, _PUBLIC_FILES = KeptQuery(_files), KeptQuery(_public_files)


def comments_and_files_on(
    viewer: Viewer, ticket: Ticket
) -> tuple[QuerySet[Comment], QuerySet[Attachment]]:
    """The ticket's comments the viewer may read and files they may open, the policy asked
    once for both: none for who may not know the ticket, the public ones (and the files on
    them) for who may not read its internal notes, all of them for staff who know it.

    As a page lists them: the comments oldest first with their authors, the files in the
    order they came with the comment each is on and who uploaded it."""
    person = _signed_in(viewer)
    if person is None or ticket.pk not in known_among(person, [ticket]):
        return Comment.objects.none(), Attachment.objects.none()
    if person.is_staff_member:  # READ_INTERNAL, without asking a second time
        return _COMMENTS(ticket.pk), _FILES(ticket.pk)
    return _PUBLIC_COMMENTS(ticket.pk), _PUBLIC_FILES(ticket.pk)


def public_comments_and_files_on(
    viewer: Viewer, ticket: Ticket
) -> tuple[QuerySet[Comment], QuerySet[Attachment]]:
    """What the portal shows of a ticket, to everyone who may know it, staff too: its public
    comments, and the files on the ticket itself or on a public comment; ordered and joined
    as `comments_and_files_on`'s."""
    person = _signed_in(viewer)
    if person is None or ticket.pk not in known_among(person, [ticket]):
        return Comment.objects.none(), Attachment.objects.none()
    return _PUBLIC_COMMENTS(ticket.pk), _PUBLIC_FILES(ticket.pk)
