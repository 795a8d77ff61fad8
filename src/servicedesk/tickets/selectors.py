"""Reads of tickets, always through `tickets.access` so that scoping is never forgotten."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from servicedesk.core.kept_queries import KeptByShape, KeptQuery
from servicedesk.directory.models import Person
from servicedesk.tickets.access import (
    NEWEST_FIRST,
    Viewer,
    followed_ticket_ids,
    knows_own_work,
    newest_followed_ids,
    reach_shape,
    visible_ticket_numbered,
    visible_tickets,
)
from servicedesk.tickets.choices import LinkKind, TicketKind
from servicedesk.tickets.models import SatisfactionSurvey, Ticket
from servicedesk.tickets.workflow import OPEN_STATES

LIST_RELATED = ("requester", "assignment_group", "assignee", "service")
PORTAL_LIST_COLUMNS = ("number", "short_description", "state", "updated_at")


def ticket_get(viewer: Viewer, number: str) -> Ticket:
    """Raises Ticket.DoesNotExist for a ticket that is missing *or* not the viewer's to see."""
    return visible_ticket_numbered(viewer, number).select_related(*LIST_RELATED).get()


def my_tickets(viewer: Person) -> QuerySet[Ticket]:
    """The tickets an employee follows: requested, filed or affected, newest first."""
    return (
        Ticket.objects.filter(pk__in=followed_ticket_ids(viewer))
        .select_related(*LIST_RELATED)
        .order_by(*NEWEST_FIRST)
    )


_NEWEST_FOLLOWED = KeptByShape()


def my_newest_tickets(viewer: Person, limit: int) -> list[Ticket]:
    """The `limit` newest tickets an employee follows (the portal home), without sorting all of
    them: see `tickets.access.newest_followed_ids`. Only the four columns the portal's list
    shows are read, no table joined: each table joined is more join orders for PostgreSQL to
    weigh, for a page that shows none of them. Its statement (a union of three) is kept for the
    limit, compiled once and prepared on PostgreSQL (`core.kept_queries`)."""

    def newest(person_id: int) -> QuerySet[Ticket]:
        return (
            Ticket.objects.filter(pk__in=newest_followed_ids(person_id, limit))
            .only(*PORTAL_LIST_COLUMNS)
            .order_by(*NEWEST_FIRST)[:limit]
        )

    return list(_NEWEST_FOLLOWED.of(("newest followed", limit), newest, viewer.pk))


# How many of the agent's own open tickets the workspace home lists.
ASSIGNED_OPEN_LISTED = 25


def _assigned_open_among(tickets: QuerySet[Ticket], person_id: int) -> QuerySet[Ticket]:
    return (
        tickets.filter(assignee_id=person_id, state__in=OPEN_STATES)
        .only("number", "short_description", "state", "updated_at")
        .order_by("priority", "created_at")[:ASSIGNED_OPEN_LISTED]
    )


def _assigned_open_to(person_id: int) -> QuerySet[Ticket]:
    return _assigned_open_among(Ticket.objects.all(), person_id)


# On every workspace home: compiled once, prepared on PostgreSQL (`core.kept_queries`).
_ASSIGNED_OPEN_TO = KeptQuery(_assigned_open_to)


def assigned_open(viewer: Person) -> list[Ticket]:
    """The "Open" folder of the state agency's filing procedure: what is assigned to me and not
    finished, most urgent first, the first `ASSIGNED_OPEN_LISTED`. Only what the workspace
    home's list shows is read: with the people, group and service joined, Django took longer to
    compile the statement and PostgreSQL to plan it (8 ms at a million tickets) than to answer
    it (1 ms). Staff know every ticket assigned to them (`knows_own_work`): theirs is read
    without the access policy's condition, with a statement kept for the process."""
    if knows_own_work(viewer):
        return list(_ASSIGNED_OPEN_TO(viewer.pk))
    return list(_assigned_open_among(visible_tickets(viewer), viewer.pk))


def open_children(ticket: Ticket) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        links_out__target=ticket, links_out__kind=LinkKind.CHILD_OF, state__in=OPEN_STATES
    )


def open_tasks(ticket: Ticket) -> QuerySet[Ticket]:
    """The open tasks under a ticket: they block resolving it. Child incidents (the reports
    attached to a major incident) do not: they follow their parent."""
    return open_children(ticket).filter(kind=TicketKind.TASK)


SATISFACTION_ORDER = ("-answered_at", "-id")
_ANSWERED = KeptByShape()  # the satisfaction answers' statement, by who asks


def satisfaction_for_staff(viewer: Person, limit: int = 10) -> list[SatisfactionSurvey]:
    """The newest satisfaction answers on tickets assigned to the viewer or to a group they
    belong to, among the tickets they may see.

    The answers are found first, then read with their ticket and people only if there are
    any: the one statement that did both took PostgreSQL 6 ms to plan at a million tickets
    (five tables and the access policy) for under 1 ms of work, on every workspace home,
    most of which have no answer to show."""

    def answered(_moment: datetime) -> QuerySet[SatisfactionSurvey, int]:
        groups = viewer.support_groups.values("pk")
        theirs = Q(assignee=viewer) | Q(assignment_group__in=groups)
        # Staff know every ticket assigned to them or to their groups (`knows_own_work`): the
        # access policy's condition would add nothing but the building of its followed tickets.
        known = Ticket.objects.all() if knows_own_work(viewer) else visible_tickets(viewer)
        return (
            SatisfactionSurvey.objects.filter(ticket__in=known.filter(theirs).values("pk"))
            .order_by(*SATISFACTION_ORDER)
            .values_list("pk", flat=True)[:limit]
        )

    # Through the access policy, its statement took 2 ms of CPU to compile on every home.
    who = (reach_shape(viewer), limit)
    found = list(_ANSWERED.at(timezone.now(), who, answered))
    if not found:
        return []
    return list(
        SatisfactionSurvey.objects.filter(pk__in=found)
        .select_related("ticket__assignee", "ticket__assignment_group", "respondent")
        .order_by(*SATISFACTION_ORDER)
    )
