"""Who may see which tickets: the one place the rule lives.

Every list, detail page, search, export, report, API handler and autocomplete that returns tickets
or what hangs off them (comments, attachments, history) starts from these querysets.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from servicedesk.directory.models import Person
from servicedesk.tickets.models import Attachment, Comment, Ticket

Viewer = Person | AnonymousUser


def visible_tickets(viewer: Viewer) -> QuerySet[Ticket]:
    """Staff see every ticket; an employee sees those they requested, filed, or are affected by."""
    tickets = Ticket.objects.all()
    if not isinstance(viewer, Person) or not viewer.is_active:
        return tickets.none()
    if viewer.is_staff_member:
        return tickets
    return tickets.filter(pk__in=followed_ticket_ids(viewer))


def followed_ticket_ids(person: Person) -> QuerySet[Any]:
    """Ids of the tickets a person requested, filed or is affected by.

    A UNION of three indexed look-ups: an OR of the three conditions makes both databases scan
    every ticket (measured: 150 ms at 100,000 tickets, against about 1 ms for this).
    """
    requested = Ticket.objects.filter(requester=person).values("pk").order_by()
    filed = Ticket.objects.filter(requested_by=person).values("pk").order_by()
    affected = (
        Ticket.affected_people.through.objects.filter(person_id=person.pk)
        .values("ticket_id")
        .order_by()
    )
    return requested.union(filed, affected)


def visible_comments(viewer: Viewer) -> QuerySet[Comment]:
    """Internal notes never reach anyone who is not staff."""
    comments = Comment.objects.filter(ticket__in=visible_tickets(viewer))
    if isinstance(viewer, Person) and viewer.is_staff_member:
        return comments
    return comments.filter(is_internal=False)


def visible_attachments(viewer: Viewer) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(ticket__in=visible_tickets(viewer))
    if isinstance(viewer, Person) and viewer.is_staff_member:
        return attachments
    return attachments.filter(Q(comment__isnull=True) | Q(comment__is_internal=False))
