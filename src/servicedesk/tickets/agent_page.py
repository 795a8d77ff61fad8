"""What an agent sees on a ticket's page: everything the requester sees plus internal notes,
full history, links, tasks, SLA clocks and the triage proposals. Reads only, scoped by
`tickets.access` (linked tickets the viewer may not see are left out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from servicedesk.catalog.choices import Impact
from servicedesk.catalog.selectors import priority_from_matrix
from servicedesk.core.editions import kept_row, reading_one_edition
from servicedesk.directory.choices import Tier
from servicedesk.directory.models import Agency, Person
from servicedesk.mail.models import InboundMessage
from servicedesk.outages.models import MajorIncident
from servicedesk.sla.selectors import ClockView, clocks_for
from servicedesk.tickets.access import Viewer
from servicedesk.tickets.access_in_hand import comments_and_files_on, known_among
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.kept_relations import PEOPLE_RELATED, keep_configuration
from servicedesk.tickets.models import (
    Attachment,
    Comment,
    RequestAnswer,
    SatisfactionSurvey,
    Ticket,
    TicketHistory,
    TicketLink,
    TicketWatcher,
)
from servicedesk.tickets.numbered_read import visible_ticket_read
from servicedesk.tickets.services.escalation import current_tier, next_tier
from servicedesk.tickets.services.replies import URGENT_ACTION
from servicedesk.tickets.ticket_reads import (
    affected_people,
    files_by_comment,
    request_answers,
    ticket_history,
    ticket_survey,
)
from servicedesk.tickets.triage import propose_impact
from servicedesk.tickets.workflow import ALLOWED_TRANSITIONS, OPEN_STATES

# What the page and the writes made from it read of the ticket's relations (the SLA's rules
# read its location), and no more: each join costs PostgreSQL's planner more than its look-up
# costs the executor. Joining the ticket's agency and priority code too, which nothing here
# reads, planning the read took 3.9 ms instead of 2.4 at a million tickets.
AGENT_PAGE_RELATED = (
    "requester__agency",
    "requested_by",
    "assignment_group",
    "assignee",
    "service__default_group",
    "category",
    "request_type",
    "location",
    "redirected_to",
)
# Read as a page (inside `core.editions.one_edition()`), the configuration among those comes
# from the rows the process keeps while the configuration's edition stands: the read joins the
# people only (PostgreSQL planned the twelve tables in 2.9 ms, the four in about 1).
KEPT_RELATED = (
    "assignment_group",
    "service",
    "category",
    "request_type",
    "location",
    "redirected_to",
)


@dataclass(frozen=True)
class Presence:
    """What the page lists only when the ticket has some, asked beside its row (`_presence`)."""

    affected: bool
    links: bool
    answers: bool
    survey: bool
    viewer_watches: bool
    major_incident: bool
    mails: bool  # mail that filed or answered it


# What `Presence` asks, one bit each: (bit, model, the column naming the ticket). The viewer's
# own watch is asked last, with the viewer's id.
_AFFECTED, _LINKED, _ANSWERED, _SURVEYED, _WATCHED, _MAJOR, _MAILED = 1, 2, 4, 8, 16, 32, 64
_PROBES: tuple[tuple[int, type[Model], str], ...] = (
    (_AFFECTED, Ticket.affected_people.through, "ticket"),
    (_LINKED, TicketLink, "source"),
    (_LINKED, TicketLink, "target"),
    (_ANSWERED, RequestAnswer, "ticket"),
    (_SURVEYED, SatisfactionSurvey, "ticket"),
    (_MAJOR, MajorIncident, "ticket"),
    (_MAILED, InboundMessage, "ticket"),
)


def _presence(viewer: Person) -> RawSQL:
    """The annotation `Presence` is read from: one index probe for each of what most tickets
    have none of (links, answers, survey, affected people, a major incident, mail), so that
    the page reads none of those then (at a million tickets on PostgreSQL each such query cost
    the page about 1 ms of CPU and 0.5 ms of waiting, for an empty list); and whether the
    viewer watches the ticket.

    Written as SQL: Django took 4.6 ms of CPU on every page to build and compile six such
    probes as `Exists` subqueries, and takes 0.7 ms for this."""
    return RawSQL(_presence_sql(connection.vendor), (viewer.pk,))


@cache
def _presence_sql(vendor: str) -> str:
    """`_presence`'s SQL, written once per database vendor (it names only tables and columns)."""
    quote = connection.ops.quote_name
    ticket_id = f"{quote(Ticket._meta.db_table)}.{quote(_column(Ticket, 'id'))}"

    def probe(bit: int, model: type[Model], field: str, also: str = "") -> str:
        table, column = quote(model._meta.db_table), quote(_column(model, field))
        found = f"SELECT 1 FROM {table} WHERE {table}.{column} = {ticket_id}{also}"
        return f"(CASE WHEN EXISTS({found}) THEN {bit} ELSE 0 END)"

    watcher = f"{quote(TicketWatcher._meta.db_table)}.{quote(_column(TicketWatcher, 'person'))}"
    probes = [probe(bit, model, field) for bit, model, field in _PROBES]
    probes.append(probe(_WATCHED, TicketWatcher, "ticket", f" AND {watcher} = %s"))
    return " | ".join(probes)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def _present(ticket: Ticket) -> Presence:
    """`Presence` from the annotation of `_presence` on a ticket read with it."""
    bits = int(ticket.presence)  # type: ignore[attr-defined]
    return Presence(
        affected=bool(bits & _AFFECTED),
        links=bool(bits & _LINKED),
        answers=bool(bits & _ANSWERED),
        survey=bool(bits & _SURVEYED),
        viewer_watches=bool(bits & _WATCHED),
        major_incident=bool(bits & _MAJOR),
        mails=bool(bits & _MAILED),
    )


def _read_ticket(viewer: Person, number: str) -> Ticket:
    one_edition = reading_one_edition()
    related = PEOPLE_RELATED if one_edition else AGENT_PAGE_RELATED

    def finish(numbered: QuerySet[Ticket]) -> QuerySet[Ticket]:
        return numbered.annotate(presence=_presence(viewer)).select_related(*related)

    ticket = visible_ticket_read(viewer, number, finish, ("agent page", related))
    if not one_edition:
        return ticket
    keep_configuration(ticket, KEPT_RELATED)
    requester = ticket.requester
    if requester.agency_id is not None:
        requester.agency = kept_row(Agency, requester.agency_id)
    return ticket


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    action: str
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class LinkLine:
    label: str
    other: Ticket


@dataclass(frozen=True)
class AgentTicketPage:
    ticket: Ticket
    comments: list[Comment]
    history: list[HistoryLine]
    affected: list[Person]
    proposed_impact: Impact | None
    matrix_priority: str
    links: list[LinkLine]
    tasks: list[Ticket]
    clocks: list[ClockView]
    tier: Tier
    next_tier: Tier | None
    next_states: list[str]
    is_open: bool
    answers: list[RequestAnswer]
    files: list[Attachment]
    urgent_comment_ids: tuple[int, ...]
    survey: SatisfactionSurvey | None
    watching: bool  # the viewer watches the ticket
    mailed: bool  # mail filed or answered it

    @property
    def is_urgent(self) -> bool:
        """The requester sent an urgent message (shown while the ticket is open)."""
        return self.is_open and bool(self.urgent_comment_ids)


def _readable(value: str) -> str:
    """History stores related rows as "pk:label"; people read the label."""
    head, sep, tail = value.partition(":")
    return tail if sep and head.isdigit() else value


def history_lines(entries: list[TicketHistory]) -> list[HistoryLine]:
    return [
        HistoryLine(
            at=entry.at,
            who=str(entry.actor) if entry.actor else "Servicedesk",
            action=entry.action,
            field=entry.field.replace("_", " "),
            before=_readable(entry.before),
            after=_readable(entry.after),
        )
        for entry in entries
    ]


def _links(viewer: Viewer, ticket: Ticket) -> tuple[list[LinkLine], list[Ticket]]:
    """The ticket's links both ways (one query), to the tickets the viewer may know."""
    both_ways = (
        TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket))
        .select_related("source", "target")
        .order_by("id")
    )
    found = [
        (link, link.target if link.source_id == ticket.pk else link.source) for link in both_ways
    ]
    known = known_among(viewer, [other for _link, other in found])
    shown = [(link, other) for link, other in found if other.pk in known]
    lines = [
        LinkLine(LinkKind(link.kind).label, other)
        for link, other in shown
        if link.source_id == ticket.pk
    ]
    tasks = []
    for link, other in shown:  # after the outgoing ones, as the page has always listed them
        if link.source_id == ticket.pk:
            continue
        if link.kind == LinkKind.CHILD_OF:
            tasks.append(other)
        else:
            lines.append(LinkLine(f"{LinkKind(link.kind).label} (from)", other))
    return lines, tasks


def _with_files(comments: list[Comment], files: list[Attachment]) -> list[Comment]:
    """Each comment's files from the ticket's list, read once for both."""
    by_comment = files_by_comment(files)
    for comment in comments:
        comment.shown_files = by_comment.get(comment.pk, [])  # type: ignore[attr-defined]
    return comments


def agent_ticket_page(viewer: Person, number: str) -> AgentTicketPage:
    """Raises Ticket.DoesNotExist for a ticket that is missing *or* not the viewer's to see."""
    ticket = _read_ticket(viewer, number)
    has = _present(ticket)
    if not has.major_incident:  # known to be none: the page's badge asks no query
        Ticket.major_incident.related.set_cached_value(ticket, None)
    affected = affected_people(ticket) if has.affected else []
    people = affected or [ticket.requester]
    matrix = (
        priority_from_matrix(ticket.impact, ticket.severity)
        if ticket.impact and ticket.severity
        else None
    )
    links, tasks = _links(viewer, ticket) if has.links else ([], [])
    readable_comments, readable_files = comments_and_files_on(viewer, ticket)
    files, comments = list(readable_files), list(readable_comments)
    entries = ticket_history(ticket)
    urgent = [entry.after for entry in entries if entry.action == URGENT_ACTION]
    return AgentTicketPage(
        ticket=ticket,
        comments=_with_files(comments, files),
        history=history_lines(entries),
        affected=affected,
        proposed_impact=propose_impact([person.agency_id for person in people]),
        matrix_priority=matrix.value if matrix else "",
        links=links,
        tasks=tasks,
        clocks=clocks_for(ticket),
        tier=current_tier(ticket),
        next_tier=next_tier(ticket) if ticket.kind != TicketKind.TASK else None,
        next_states=sorted(ALLOWED_TRANSITIONS[TicketState(ticket.state)]),
        is_open=ticket.state in OPEN_STATES,
        answers=request_answers(ticket) if has.answers else [],
        files=files,
        urgent_comment_ids=tuple(sorted(int(value) for value in urgent if value.isdigit())),
        survey=ticket_survey(ticket) if has.survey else None,
        watching=has.viewer_watches,
        mailed=has.mails,
    )
