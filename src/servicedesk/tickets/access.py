"""The access policy: who may know which ticket and which comment, and do what with it.

Every way ticket data leaves goes through this module: pages, the API, search, autocomplete,
attachments, exports and reports (`visible_tickets`), in-app and mail notifications and chat
(`who_may_know`), webhooks (`who_may_know` on the subscription's owner), the "add me as
affected" suggestions (`joinable_incidents`) and the people pickers (`visible_people`). Code that
adds a way out asks here; it never writes a scoping rule of its own.

The rule:

- Nobody signed out or deactivated knows anything; a deactivated owner's webhooks deliver nothing.
- An employee (requester) knows the tickets they requested, filed, or are affected by, and their
  public comments and files: never internal notes, nor the files on them.
- Admins and managers know every ticket.
- An agent knows what they follow as an employee (they are employees too), plus the tickets
  assigned to them, the tickets assigned to any support group they belong to, and the tickets of
  every agency those groups serve (`SupportGroup.agencies`, matched against `Ticket.agency`, which
  is set from the requester's agency when the ticket is filed).
- A group with no agencies serves every agency, so its members know every ticket, including those
  with no agency yet (mail from an unknown sender, monitoring events): somebody has to triage
  those, and that is the desk that serves everyone. A member only of groups that serve named
  agencies does not know tickets without an agency unless they are assigned to one of their groups.
- A group's lead counts as one of its people, whether or not they are listed as a member: a group
  lead knows every ticket of the groups they lead and of the agencies those groups serve.
- A service lead also knows every ticket at the service-lead tier (assigned to any group of that
  tier): escalation hands a ticket to "the service lead" group, which is theirs to coordinate.
- Staff read internal notes, and the files on them, of every ticket they know; so does a webhook
  whose owner is such a staff member. Nobody else receives an internal note by any channel.
- Actions (`TicketAction`): whoever knows a ticket may reply on it; staff who know it may work it
  (triage, assign, change its state, write internal notes). An open incident wider than one person
  may be joined as affected by people it may concern (agency-wide: that agency's people;
  multi-agency or linked from a current status entry: everyone); before joining they learn only
  its number, title and service, never its conversation.
- People: staff who know every ticket find every active person; other staff find their own
  agency, the agencies they serve and their colleagues on the desk; an employee finds the people
  of their own agency. Nobody finds deactivated accounts.
- Chats (live chat with the desk): an employee reads only the chats they started; staff see a
  chat as they would a ticket of its requester's agency (a chat with no agency: those who know
  every ticket), plus the chats they hold and those transferred to one of their groups. Staff who
  see a waiting chat may accept (join) it; only its requester and its agent write in it.
- A webhook subscription carries its owner's scope; one marked organisation-wide (only an
  administrator may create it) hears of every ticket while its owner is an active administrator.

Speed: the viewer's groups and agencies are read once (one small query) and kept on the person
object, which lives for one request. The condition is then an OR over indexed columns of the
ticket row itself (agency, assignment group, assignee) plus the followed ids, with the ids written
out as literals (a queue walked in the queue order asks its copies of those columns instead,
which its index holds): queues and counts filter by state first, so the OR is only checked on
those rows.
One ticket by its number (`visible_ticket_numbered`) is checked on its own row instead of
against the followed ids, and a person's newest tickets (`newest_followed_ids`) are the newest few
of each way of following them. For a ticket in hand and a list of recipients (`who_may_know`),
the scope is checked against the row in memory: one query for the affected people, plus one
per staff recipient's groups.
A page that holds its ticket already asks about its comments, files and linked tickets on the
rows in hand (`tickets.access_in_hand`, the same rule checked in memory).
Code that changes someone's groups and reads their tickets with the same object in one breath
calls `forget_scope` between the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from servicedesk.catalog.choices import Impact
from servicedesk.chat.models import ChatSession
from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.choices import STAFF_ROLES, Role, Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Attachment, Comment, QueueOrder, Ticket
from servicedesk.tickets.workflow import OPEN_STATES

Viewer = Person | AnonymousUser

SEES_EVERYTHING = frozenset({Role.ADMIN, Role.MANAGER})
_CACHE_KEY = "_ticket_scope"
_FOLLOWED_KEY = "_followed_ticket_ids_sql"


@dataclass(frozen=True)
class TicketScope:
    """What a staff member's groups give them: all tickets, or these groups' and agencies'."""

    everything: bool
    group_ids: tuple[int, ...] = ()
    agency_ids: tuple[int, ...] = ()


def _groups_served(person_id: int) -> QuerySet[SupportGroup, tuple[int, int | None]]:
    """One row per (group, agency served) of the groups a person is in or leads; a group
    serving every agency gives (group, None)."""
    theirs = Q(members=person_id) | Q(lead=person_id)
    return SupportGroup.objects.filter(theirs).values_list("pk", "agencies").distinct()


def _groups_served_by_lead(person_id: int) -> QuerySet[SupportGroup, tuple[int, int | None]]:
    """As `_groups_served`, with the service leads' own groups."""
    theirs = Q(members=person_id) | Q(lead=person_id) | Q(tier=Tier.SERVICE_LEAD)
    return SupportGroup.objects.filter(theirs).values_list("pk", "agencies").distinct()


# Read once a request on every staff page: compiled once (`core.kept_queries`).
_GROUPS_SERVED = KeptQuery(_groups_served)
_GROUPS_SERVED_BY_LEAD = KeptQuery(_groups_served_by_lead)


def _scope_from_database(person: Person) -> TicketScope:
    if person.role in SEES_EVERYTHING:
        return TicketScope(everything=True)
    if not person.is_staff_member:
        return TicketScope(everything=False)
    served = _GROUPS_SERVED_BY_LEAD if person.role == Role.SERVICE_LEAD else _GROUPS_SERVED
    rows = served(person.pk)
    group_ids: set[int] = set()
    agency_ids: set[int] = set()
    for group_id, agency_id in rows:
        if agency_id is None:
            return TicketScope(everything=True)
        group_ids.add(group_id)
        agency_ids.add(agency_id)
    return TicketScope(False, tuple(sorted(group_ids)), tuple(sorted(agency_ids)))


def ticket_scope(person: Person) -> TicketScope:
    """The person's scope, read once per person object (that is, once per request)."""
    cached = person.__dict__.get(_CACHE_KEY)
    if isinstance(cached, TicketScope):
        return cached
    scope = _scope_from_database(person)
    person.__dict__[_CACHE_KEY] = scope
    return scope


def forget_scope(person: Person) -> None:
    """After changing the person's groups or role: the next read asks the database again."""
    person.__dict__.pop(_CACHE_KEY, None)


def _signed_in(viewer: Viewer) -> Person | None:
    return viewer if isinstance(viewer, Person) and viewer.is_active else None


def _followed_row(person: Person) -> Q:
    """The ticket row's own test of "requested, filed or affected": for one ticket looked up by
    its number; over many rows `followed_ticket_ids` is the fast shape."""
    affected = Ticket.affected_people.through.objects.filter(
        ticket_id=OuterRef("pk"), person_id=person.pk
    )
    return Q(requester_id=person.pk) | Q(requested_by_id=person.pk) | Q(Exists(affected))


def _reach(person: Person, via: str = "", *, one_row: bool = False) -> Q | None:
    """The condition a ticket meets when `person` may see it; None when they see every ticket.

    `via` is the path from the model queried to its ticket, or to the copies of its keys: ""
    for tickets, "ticket__" for comments and attachments, which then check their own ticket's
    row (a join) rather than membership in the set of every visible ticket, which costs a scan of
    the scope; "queue_order__" for a queue walked in the queue order (`visible_tickets`).
    `one_row`: each ticket's row is checked on its own, for a query that finds one ticket by a
    unique key.
    """
    if person.is_staff_member and ticket_scope(person).everything:
        return None  # before building the followed tickets' union, which it would not use
    if one_row:
        followed = _followed_row(person)
    else:
        followed = Q(**{f"{via}pk__in": _followed_compiled(person)})
    if not person.is_staff_member:
        return followed
    scope = ticket_scope(person)
    # The row's own columns first, the following last: PostgreSQL tests an OR's terms in their
    # order, so a row one of the staff's columns answers for is never probed for its affected
    # people (the scoped agent's overdue count at a million tickets: half the probes).
    reach = Q(**{f"{via}assignee_id": person.pk})
    if scope.group_ids:
        reach |= Q(**{f"{via}assignment_group_id__in": scope.group_ids})
    if scope.agency_ids:
        reach |= Q(**{f"{via}agency_id__in": scope.agency_ids})
    return reach | followed


def visible_tickets(viewer: Viewer, *, walked: bool = False) -> QuerySet[Ticket]:
    """The tickets the viewer may see, by the rule in this module's docstring.

    `walked`: the query walks the queue order's index in its order (a queue of open tickets):
    the condition is asked of the queue order's copies of the ticket's keys, which that index
    holds, and of its ticket key for the tickets the person follows (a set PostgreSQL builds
    once). Only the tickets known visible are looked up, in their key's index: the scoped agent's
    overdue count at a million tickets 9 → 5 ms. Asked of the ticket's row instead, each ticket
    met was read and probed for its affected people; and the followed set asked of the ticket's
    key was priced as if built again for each ticket met, so PostgreSQL read the whole scope
    (800 ms)."""
    person = _signed_in(viewer)
    if person is None:
        return Ticket.objects.none()
    reach = _reach(person, "queue_order__") if walked else _reach(person)
    return Ticket.objects.all() if reach is None else Ticket.objects.filter(reach)


def visible_queue_order(viewer: Viewer) -> QuerySet[QueueOrder]:
    """The queue order's rows of the tickets the viewer may see, for a count that needs nothing
    else of a ticket: the row's key is its ticket's and it carries the copies of the keys the
    rule asks, under the ticket's names. Counted there, the scoped agent's overdue tickets at a
    million tickets read the index alone (2.5 → 0.4 ms; through the tickets, each counted
    ticket was looked up)."""
    person = _signed_in(viewer)
    if person is None:
        return QueueOrder.objects.none()
    reach = _reach(person)
    return QueueOrder.objects.all() if reach is None else QueueOrder.objects.filter(reach)


def visible_ticket_numbered(viewer: Viewer, number: str) -> QuerySet[Ticket]:
    """The ticket of this number if the viewer may see it (at most one row; `.get()` it), by the
    same rule as `visible_tickets`, checked on that ticket's row: the union of every ticket a
    person follows is not read to find one of them (13,000 rows for a frequent filer: 12–31 ms
    at a million tickets against well under one)."""
    return visible_ticket_numbered_exactly(viewer, number.upper())


def visible_ticket_numbered_exactly(viewer: Viewer, stored_number: str) -> QuerySet[Ticket]:
    """`visible_ticket_numbered` for a number written as it is stored (upper case)."""
    person = _signed_in(viewer)
    if person is None:
        return Ticket.objects.none()
    numbered = Ticket.objects.filter(number=stored_number)
    reach = _reach(person, one_row=True)
    return numbered if reach is None else numbered.filter(reach)


def reach_shape(person: Person) -> tuple[Any, ...]:
    """All this module's conditions read of a person: a statement through them is the same for
    two people of one shape (`core.kept_queries.KeptByShape`)."""
    return (person.pk, person.role, person.is_active, ticket_scope(person))


def knows_own_work(viewer: Viewer) -> bool:
    """Whether the viewer knows every ticket assigned to them or to a group they belong to:
    every active staff member does, by the rule above. A queue of only those (their own open
    tickets, their groups', their groups' to verify) then needs no condition of this module:
    the scoped agent's count of their groups' tickets read 1,001 table rows to check it, 4 ms
    at a million tickets, where the group index alone answers."""
    person = _signed_in(viewer)
    return person is not None and person.is_staff_member


def may_see_ticket(viewer: Viewer, ticket: Ticket) -> bool:
    """For a ticket already in hand (after a change that may have moved it out of the viewer's
    scope); costs no query for those who see every ticket."""
    person = _signed_in(viewer)
    if person is None:
        return False
    reach = _reach(person)
    return reach is None or Ticket.objects.filter(reach, pk=ticket.pk).exists()


def _followed_compiled(person: Person) -> RawSQL:
    """`followed_ticket_ids` as SQL, compiled once per person object (once a request): a page
    asks the policy of each of its counts, and Django compiled the three-part union again for
    each (the scoped agent's workspace home: seven times, some 5 ms of CPU a request)."""
    cached = person.__dict__.get(_FOLLOWED_KEY)
    if isinstance(cached, RawSQL):
        return cached
    sql, params = followed_ticket_ids(person).query.sql_with_params()
    compiled = RawSQL(sql, params)
    person.__dict__[_FOLLOWED_KEY] = compiled
    return compiled


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


# Newest first, and of tickets filed in the same instant the later numbered: a total order, so
# that the newest few of each way of following and the newest of all agree at a tie.
NEWEST_FIRST = ("-created_at", "-pk")


def newest_followed_ids(person_id: int, limit: int) -> QuerySet[Any]:
    """Ids of (at least) the `limit` newest tickets a person requested, filed or is affected by.

    The newest `limit` of each way of following a ticket, then their union: each part is a
    newest-first walk of a (person, created_at) index that stops after `limit` rows, so the
    portal home of someone who filed thirteen thousand tickets reads about 3 × `limit` rows
    instead of sorting all of them (measured at a million tickets: 220 ms → 1 ms). The caller
    sorts the union and keeps its first `limit`. Each part is an id list in an IN so that both
    databases accept its LIMIT (SQLite takes none in a part of a UNION).
    """
    requested = Ticket.objects.filter(requester_id=person_id).order_by(*NEWEST_FIRST)
    filed = Ticket.objects.filter(requested_by_id=person_id).order_by(*NEWEST_FIRST)
    affected = Ticket.objects.filter(affected_people=person_id).order_by(*NEWEST_FIRST)
    parts = [
        Ticket.objects.filter(pk__in=newest.values("pk")[:limit]).values("pk").order_by()
        for newest in (requested, filed, affected)
    ]
    return parts[0].union(*parts[1:])


def visible_comments(viewer: Viewer) -> QuerySet[Comment]:
    """Comments on the tickets the viewer sees; internal notes never reach anyone not staff."""
    person = _signed_in(viewer)
    if person is None:
        return Comment.objects.none()
    reach = _reach(person, via="ticket__")
    comments = Comment.objects.all() if reach is None else Comment.objects.filter(reach)
    if person.is_staff_member:
        return comments
    return comments.filter(is_internal=False)


def visible_attachments(viewer: Viewer) -> QuerySet[Attachment]:
    """Files on the tickets the viewer sees; files of internal notes stay with staff."""
    person = _signed_in(viewer)
    if person is None:
        return Attachment.objects.none()
    reach = _reach(person, via="ticket__")
    attachments = Attachment.objects.all() if reach is None else Attachment.objects.filter(reach)
    if person.is_staff_member:
        return attachments
    return attachments.filter(Q(comment__isnull=True) | Q(comment__is_internal=False))


class TicketAction(StrEnum):
    """What someone wants to do with a ticket; `tickets_for` and `may` answer for each."""

    KNOW = "know"  # see it exists, read it and its public conversation and files
    READ_INTERNAL = "read_internal"  # internal notes and the files on them
    REPLY = "reply"  # add a public comment
    WORK = "work"  # triage, assign, change state, write internal notes
    JOIN = "join"  # add oneself as affected ("Is this your issue?")


def tickets_for(viewer: Viewer, action: TicketAction = TicketAction.KNOW) -> QuerySet[Ticket]:
    """The tickets the viewer may `action`, by the rule in this module's docstring."""
    person = _signed_in(viewer)
    if person is None:
        return Ticket.objects.none()
    if action == TicketAction.JOIN:
        return joinable_incidents(person)
    if action in (TicketAction.READ_INTERNAL, TicketAction.WORK) and not person.is_staff_member:
        return Ticket.objects.none()
    return visible_tickets(person)


def may(viewer: Viewer, action: TicketAction, ticket: Ticket) -> bool:
    """For one ticket in hand: may the viewer `action` it? Checked against the row in hand
    (one query; one more for a staff member whose groups were not read yet)."""
    person = _signed_in(viewer)
    if person is None:
        return False
    if action == TicketAction.JOIN:
        return joinable_incidents(person).filter(pk=ticket.pk).exists()
    if action in (TicketAction.READ_INTERNAL, TicketAction.WORK) and not person.is_staff_member:
        return False
    return bool(who_may_know(ticket, [person]))


def may_read_comment(viewer: Viewer, comment: Comment) -> bool:
    """May the viewer read this comment (its ticket known; internal notes staff only)?"""
    person = _signed_in(viewer)
    if person is None or (comment.is_internal and not person.is_staff_member):
        return False
    return bool(who_may_know(comment.ticket, [person]))


def _knows_in_memory(person: Person, ticket: Ticket, affected_ids: set[int]) -> bool:
    if person.pk in (ticket.requester_id, ticket.requested_by_id) or person.pk in affected_ids:
        return True
    if not person.is_staff_member:
        return False
    scope = ticket_scope(person)
    return (
        scope.everything
        or ticket.assignee_id == person.pk
        or ticket.assignment_group_id in scope.group_ids
        or ticket.agency_id in scope.agency_ids
    )


def who_may_know(
    ticket: Ticket, people: Iterable[Person | None], *, comment: Comment | None = None
) -> list[Person]:
    """Those of `people` (active, once each, in order) who may know the ticket and, if given,
    read the comment: what notifications, mail, chat and webhooks ask for each recipient.

    Checked against the ticket row in hand: one query for the affected people (none when only
    the requester and whoever filed it are asked), plus one per staff member whose groups were
    not read yet on that person object.
    """
    candidates: dict[int, Person] = {}
    for person in people:
        if person is not None and person.is_active and person.pk not in candidates:
            candidates[person.pk] = person
    if comment is not None and comment.is_internal:
        candidates = {pk: p for pk, p in candidates.items() if p.is_staff_member}
    if not candidates:
        return []
    # The requester and whoever filed it know the ticket anyway: ask about the others only
    # (filing a ticket tells its requester without this query).
    others = [pk for pk in candidates if pk not in (ticket.requester_id, ticket.requested_by_id)]
    affected_ids = (
        set(
            Ticket.affected_people.through.objects.filter(
                ticket_id=ticket.pk, person_id__in=others
            ).values_list("person_id", flat=True)
        )
        if others
        else set()
    )
    return [p for p in candidates.values() if _knows_in_memory(p, ticket, affected_ids)]


def joinable_incidents(person: Person, now: datetime | None = None) -> QuerySet[Ticket]:
    """Open incidents this person may add themselves to as affected (see the module's rule)."""
    from servicedesk.outages.selectors import current_entries  # outages builds on tickets

    if not person.is_active:
        return Ticket.objects.none()
    now = now or timezone.now()
    open_incidents = Ticket.objects.filter(kind=TicketKind.INCIDENT, state__in=OPEN_STATES)
    wide = Q(impact=Impact.MULTI_AGENCY)
    if person.agency_id is not None:
        wide |= Q(impact=Impact.AGENCY, agency_id=person.agency_id)
    declared = Q(pk__in=current_entries(now).filter(incident__isnull=False).values("incident_id"))
    return open_incidents.filter(wide | declared)


def visible_people(viewer: Viewer) -> QuerySet[Person]:
    """The people the viewer may find in pickers, autocomplete and the API (see the rule)."""
    person = _signed_in(viewer)
    if person is None:
        return Person.objects.none()
    active = Person.objects.filter(is_active=True)
    own = Q(pk=person.pk)
    if person.agency_id is not None:
        own |= Q(agency_id=person.agency_id)
    if not person.is_staff_member:
        return active.filter(own)
    scope = ticket_scope(person)
    if scope.everything:
        return active
    return active.filter(own | Q(role__in=list(STAFF_ROLES)) | Q(agency_id__in=scope.agency_ids))


def visible_chats(viewer: Viewer) -> QuerySet[ChatSession]:
    """The live chats the viewer may read, by the rule in this module's docstring."""
    person = _signed_in(viewer)
    if person is None:
        return ChatSession.objects.none()
    own = Q(requester_id=person.pk)
    if not person.is_staff_member:
        return ChatSession.objects.filter(own)
    scope = ticket_scope(person)
    if scope.everything:
        return ChatSession.objects.all()
    reach = own | Q(agent_id=person.pk)
    if scope.group_ids:
        reach |= Q(group_id__in=scope.group_ids)
    if scope.agency_ids:
        reach |= Q(agency_id__in=scope.agency_ids)
    return ChatSession.objects.filter(reach)


def may_join_chat(viewer: Viewer, chat: ChatSession) -> bool:
    """May the viewer take this chat as its agent (accept it, or be handed it)?"""
    person = _signed_in(viewer)
    if person is None or not person.is_staff_member or person.pk == chat.requester_id:
        return False
    return visible_chats(person).filter(pk=chat.pk).exists()
