"""The API's reads, each built on the scoping in `tickets.access` (or the person's own row)."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects

from servicedesk.api.schemas.tickets import TicketFilters
from servicedesk.directory.models import Person
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.access import (
    visible_attachments,
    visible_comments,
    visible_people,
    visible_tickets,
)
from servicedesk.tickets.models import Attachment, Comment, Ticket, TicketLink
from servicedesk.tickets.numbered_read import visible_ticket_read
from servicedesk.tickets.search import in_ticket_fields
from servicedesk.tickets.selectors import LIST_RELATED, ticket_get

TICKET_NUMBER = re.compile(r"[A-Za-z]{3,4}[0-9]{1,12}")
DETAIL_RELATED = (
    *LIST_RELATED,
    "requested_by",
    "agency",
    "location",
    "category",
    "priority_code",
    "request_type",
)


def api_ticket_get(viewer: Person, number: str) -> Ticket:
    """The ticket, or Ticket.DoesNotExist (a 404) when it is missing or not the viewer's."""
    if not TICKET_NUMBER.fullmatch(number):
        raise Ticket.DoesNotExist(number)
    return ticket_get(viewer, number)


def _with_detail(numbered: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return numbered.select_related(*DETAIL_RELATED).prefetch_related("affected_people", "answers")


def api_ticket_detail(viewer: Person, number: str) -> Ticket:
    """The ticket with what the detail shows, read as the ticket pages read theirs
    (`tickets.numbered_read`: its statement kept for the caller's shape)."""
    if not TICKET_NUMBER.fullmatch(number):
        raise Ticket.DoesNotExist(number)
    return visible_ticket_read(viewer, number, _with_detail, "api detail")


def api_ticket_written(written: Ticket) -> Ticket:
    """The answer to a write: the ticket as the caller's change left it. The caller was let at
    it through the access policy (`api_ticket_get`) before the change; a change can hand it out
    of their scope (assigned to a group of another agency), and they still see what they wrote,
    once: their next read of it is a 404. Not read back: the service's row, locked and read with
    everything its history names, is what was written; only the affected people and the answers,
    which the write left as they were, are read."""
    prefetch_related_objects([written], "affected_people", "answers")
    return written


def api_ticket_list(viewer: Person, filters: TicketFilters) -> QuerySet[Ticket]:
    tickets = visible_tickets(viewer).select_related(*LIST_RELATED)
    exact = {
        "kind": filters.kind,
        "requester_id": filters.requester,
        "assignment_group_id": filters.assignment_group,
        "assignee_id": filters.assignee,
        "agency_id": filters.agency,
        "service_id": filters.service,
        "category_id": filters.category,
        "created_at__gte": filters.created_after,
        "created_at__lt": filters.created_before,
    }
    tickets = tickets.filter(**{name: value for name, value in exact.items() if value is not None})
    if filters.state:
        tickets = tickets.filter(state__in=filters.state)
    if filters.priority:
        tickets = tickets.filter(priority__in=filters.priority)
    if filters.breached is not None:
        breached = TicketClock.objects.filter(ticket=OuterRef("pk"), breached_at__isnull=False)
        tickets = tickets.filter(Exists(breached) if filters.breached else ~Exists(breached))
    due = {"due_at__lt": filters.due_before, "due_at__gte": filters.due_after}
    due = {name: value for name, value in due.items() if value is not None}
    if due:
        resolution = TicketClock.objects.filter(
            ticket=OuterRef("pk"), metric=Metric.RESOLUTION, **due
        )
        tickets = tickets.filter(Exists(resolution))
    if filters.text:
        tickets = tickets.filter(in_ticket_fields(filters.text.strip()))
    return tickets


def api_ticket_comments(viewer: Person, ticket: Ticket) -> QuerySet[Comment]:
    return visible_comments(viewer).filter(ticket=ticket).select_related("author")


def api_ticket_attachments(viewer: Person, ticket: Ticket) -> QuerySet[Attachment]:
    return visible_attachments(viewer).filter(ticket=ticket).select_related("uploaded_by")


def api_ticket_links(viewer: Person, ticket: Ticket) -> QuerySet[TicketLink]:
    """Links in both directions whose other end the viewer may also see."""
    visible = visible_tickets(viewer).values("pk")
    return (
        TicketLink.objects.filter(
            Q(source=ticket, target__in=visible) | Q(target=ticket, source__in=visible)
        )
        .select_related("source", "target")
        .order_by("created_at", "pk")
    )


def api_ticket_clocks(ticket: Ticket) -> QuerySet[TicketClock]:
    """The clocks of a ticket the caller was already allowed to read."""
    return (
        TicketClock.objects.filter(ticket=ticket)
        .select_related("calendar")
        .prefetch_related("events")
        .order_by("started_at", "pk")
    )


def api_people(viewer: Person, search: str | None) -> QuerySet[Person]:
    """The people the access policy lets the viewer find (`visible_people`: staff within the
    agencies they serve); a requester, whose answer would carry colleagues' addresses, sees
    only themself."""
    people = visible_people(viewer)
    if not viewer.is_staff_member:
        people = people.filter(pk=viewer.pk)
    if search:
        for word in search.split()[:5]:
            people = people.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    return people.select_related("agency")
