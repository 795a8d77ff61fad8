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


def comments_and_files_on(
    viewer: Viewer, ticket: Ticket
) -> tuple[QuerySet[Comment], QuerySet[Attachment]]:
    """The ticket's comments the viewer may read and files they may open, the policy asked
    once for both: none for who may not know the ticket, the public ones (and the files on
    them) for who may not read its internal notes, all of them for staff who know it."""
    comments = Comment.objects.filter(ticket=ticket)
    files = Attachment.objects.filter(ticket=ticket)
    person = _signed_in(viewer)
    if person is None or ticket.pk not in known_among(person, [ticket]):
        return comments.none(), files.none()
    if person.is_staff_member:  # READ_INTERNAL, without asking a second time
        return comments, files
    public_files = Q(comment__isnull=True) | Q(comment__is_internal=False)
    return comments.filter(is_internal=False), files.filter(public_files)
