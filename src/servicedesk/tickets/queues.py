"""The agent's queues: which tickets each holds, in which order, filtered and searched.

Reads only, always starting from `tickets.access.visible_tickets`, so a queue, its count, the
search and the "next ticket" button can never show a ticket the detail page would refuse.

SLA order: beside every ticket, its place in the queues (`QueueOrder`: its running resolution
clock's due time and copies of its state, priority, age and the keys the access policy asks,
kept by the database's triggers, see `tickets.queue_order`); the queues sort and "overdue" and
"breaching soon" filter on it, so that the `queue_open_due` index hands over a page of open
tickets in order instead of a clock look-up per open ticket. The pages that walk that index ask
the state of it alone (asked of both tables, PostgreSQL multiplies the two conditions' shares
and hashes every open ticket instead), and ask the access policy of it too
(`visible_tickets(walked=True)`); the counts, which need no order, read the ticket's own indexes
where they can (`queue_counted`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from servicedesk.core.kept_queries import KeptByShape
from servicedesk.core.statements import CompiledStatements
from servicedesk.directory.models import Person
from servicedesk.sla.choices import ClockState, Metric
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.access import (
    knows_own_work,
    reach_shape,
    visible_queue_order,
    visible_tickets,
)
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket, TicketHistory
from servicedesk.tickets.search import tickets_matching
from servicedesk.tickets.services.overdue_first import SCHEDULED_AHEAD_ACTION
from servicedesk.tickets.services.replies import URGENT_ACTION
from servicedesk.tickets.workflow import OPEN_STATES, PAUSED_STATES

# Counts stop past this: a queue of more shows "1,000+" and pages as far as this (a person
# filters rather than pages that far), and no count reads more rows however full the desk is.
COUNT_CAP = 1_000
# A running resolution clock due within this long is "breaching soon".
BREACHING_SOON = timedelta(hours=4)
# What a queue's rows show beside the ticket's own columns. Only these: each table joined makes
# PostgreSQL weigh more join orders, and with the requester and the service joined too a queue
# page's query took 8 ms to plan for less than 1 ms to run, at any size.
QUEUE_RELATED = ("assignment_group", "assignee")


class Queue(StrEnum):
    NEW = "new"
    # The school district's uncategorized queue, which the desk reviews every odd hour.
    UNCATEGORIZED = "uncategorized"
    MY_GROUPS = "my-groups"
    MY_OPEN = "my-open"
    BREACHING_SOON = "breaching-soon"
    OVERDUE = "overdue"
    WAITING = "waiting"
    TO_VERIFY = "to-verify"
    ALL_OPEN = "all-open"


# The queues that hold tickets no longer open (every other holds open tickets only).
QUEUES_BEYOND_OPEN = frozenset({Queue.TO_VERIFY})

# The workspace home's cards: the queues whose counts need no SLA clock look-up but overdue.
HOME_QUEUES = (
    Queue.NEW,
    Queue.UNCATEGORIZED,
    Queue.MY_GROUPS,
    Queue.MY_OPEN,
    Queue.OVERDUE,
    Queue.WAITING,
    Queue.ALL_OPEN,
)

QUEUE_TITLES: dict[Queue, str] = {
    Queue.NEW: "New, not yet triaged",
    Queue.UNCATEGORIZED: "Uncategorized",
    Queue.MY_GROUPS: "My groups",
    Queue.MY_OPEN: "My open",
    Queue.BREACHING_SOON: "Breaching soon",
    Queue.OVERDUE: "Overdue",
    Queue.WAITING: "Awaiting customer or vendor",
    Queue.TO_VERIFY: "Resolved, to verify",
    Queue.ALL_OPEN: "All open",
}

# Sort keys a person may pick; "due" (the SLA) is the default: most urgent first.
# The due order's priority and age are the queue order's own copies in the queues it walks: the
# order of its index (`queue_tickets`).
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("resolution_due", "due_priority", "due_created_at"),
    "priority": ("priority", "resolution_due", "created_at"),
    "number": ("number",),
    "created": ("created_at",),
    "updated": ("updated_at",),
    "state": ("state", "resolution_due"),
}
DEFAULT_SORT = "due"


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    priority: str = ""
    group_id: int | None = None
    assignee_id: int | None = None
    service_id: int | None = None
    kind: str = ""
    text: str = ""


# Work employees sent in that nobody has categorized yet, whatever its state or group: what the
# school district's odd-hour review looks at (tasks and problems are the desk's own, uncharted).
UNCATEGORIZED = Q(category__isnull=True, kind__in=[TicketKind.INCIDENT, TicketKind.REQUEST])


def _clock_due(metric: Metric) -> Subquery:
    # One clock per (ticket, metric): no ordering needed, and the model's default ordering by
    # ticket would join every subquery back to the tickets table.
    return Subquery(
        TicketClock.objects.filter(
            ticket_id=OuterRef("pk"), metric=metric, state=ClockState.RUNNING
        )
        .order_by()
        .values("due_at")[:1]
    )


def _tickets_with_running_clock(
    due_before: datetime, due_after: datetime | None = None, *, via: str = "queue_order__"
) -> Q:
    """Open, with a running resolution clock due before `due_before` (and from `due_after`):
    asked of the queue order alone, whose index holds open tickets by due time. `via`: the path
    to the queue order ("" when it is what is queried)."""
    due = Q(**{f"{via}state__in": OPEN_STATES, f"{via}resolution_due_at__lt": due_before})
    if due_after is not None:
        due &= Q(**{f"{via}resolution_due_at__gte": due_after})
    return due


# From this many open tickets of their own, an agent's page of them walks the queue order in due
# order, asking its copy of the assignee in the index it walks: a page's worth of entries read (at
# a million tickets, the demo desk's 2,758: 0.7 ms). Fewer, and the ticket's index of an agent's
# own open tickets, then a sort, reads less: the walk would pass every open ticket of the others
# to find few or none (8 ms for an agent with none). Asked of both, PostgreSQL took them for
# independent and expected 8 rows of the 2,758: it read them all and sorted (27-37 ms).
OWN_OPEN_WALKED_FROM = 200


_OWN_OPEN_WALKED_KEY = "_own_open_walked"


# How many the agent holds, compiled once for the limit (`core.kept_queries`): at most that
# many ids are read, where a count was compiled each time.
_OWN_OPEN_HELD = KeptByShape(kept=4)


def own_open_walked(viewer: Person) -> bool:
    """Whether the viewer's page of their own open tickets walks the queue order: they hold at
    least `OWN_OPEN_WALKED_FROM`. Counted once for the person in hand (a request's): either way
    reads the same tickets, so a count a ticket or two behind costs nothing but the plan."""
    walked = viewer.__dict__.get(_OWN_OPEN_WALKED_KEY)
    if walked is None:
        limit = OWN_OPEN_WALKED_FROM

        def held(person_id: int) -> QuerySet[Ticket, int]:
            return (
                Ticket.objects.filter(state__in=OPEN_STATES, assignee_id=person_id)
                .order_by(*OWN_OPEN_ORDER)
                .values_list("pk", flat=True)[:limit]
            )

        count = len(list(_OWN_OPEN_HELD.of(("held", limit), held, viewer.pk)))
        walked = viewer.__dict__[_OWN_OPEN_WALKED_KEY] = count >= limit
    return bool(walked)


def _own_open(viewer: Person, *, counting: bool) -> Q:
    own = Q(state__in=OPEN_STATES, assignee=viewer)
    if counting or not own_open_walked(viewer):
        return own
    return Q(queue_order__assignee_id=viewer.pk)


def _queue_condition(viewer: Person, queue: Queue, now: datetime, *, counting: bool) -> Q:
    """Which tickets `queue` holds. A page (`counting` false) asks the state of the queue order,
    whose index it walks in its order; a count asks the ticket's own (its indexes answer without
    a join), but for the queues of a due time, which only the queue order's index holds."""
    state = "state" if counting else "queue_order__state"
    open_q = Q(**{f"{state}__in": OPEN_STATES})
    # A subquery, not a join: a join through group members would repeat each ticket per member.
    my_groups = Q(assignment_group_id__in=viewer.support_groups.values("pk"))
    if queue == Queue.MY_OPEN:  # which column to ask takes a query: only for this queue
        return open_q & _own_open(viewer, counting=counting)
    conditions = {
        Queue.NEW: Q(**{state: TicketState.NEW}),
        Queue.UNCATEGORIZED: open_q & UNCATEGORIZED,
        Queue.MY_GROUPS: open_q & my_groups,
        Queue.BREACHING_SOON: _tickets_with_running_clock(now + BREACHING_SOON, now),
        Queue.OVERDUE: _tickets_with_running_clock(now),
        Queue.WAITING: Q(**{f"{state}__in": PAUSED_STATES}),
        # Resolved tickets are in no index of the queue order: their own state, and a sort.
        Queue.TO_VERIFY: Q(state=TicketState.RESOLVED) & my_groups,
        Queue.ALL_OPEN: open_q,
    }
    return conditions[queue]


def _filtered(tickets: QuerySet[Ticket], filters: QueueFilters) -> QuerySet[Ticket]:
    given = {
        "state": filters.state,
        "priority": filters.priority,
        "assignment_group_id": filters.group_id,
        "assignee_id": filters.assignee_id,
        "service_id": filters.service_id,
        "kind": filters.kind,
    }
    return tickets.filter(**{name: value for name, value in given.items() if value})


def _ordered(tickets: QuerySet[Ticket], sort: str) -> QuerySet[Ticket]:
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    order = []
    for key in keys:
        expression = F(key)
        order.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    return tickets.order_by(*order, "pk")


# The queues of the viewer's own work: tickets assigned to them or to a group they belong to.
OWN_WORK_QUEUES = frozenset({Queue.MY_GROUPS, Queue.MY_OPEN, Queue.TO_VERIFY})


def _queue_base(viewer: Person, queue: Queue, *, walked: bool) -> QuerySet[Ticket]:
    """The tickets a queue is drawn from: those the viewer may see (`tickets.access`), or, for a
    queue of their own work, every ticket, when the access policy says they know all of those
    (`knows_own_work`). `walked`: the query walks the queue order's index (`visible_tickets`)."""
    if queue in OWN_WORK_QUEUES and knows_own_work(viewer):
        return Ticket.objects.all()
    return visible_tickets(viewer, walked=walked)


def _due_order(walked: bool) -> dict[str, Any]:
    """The due order's keys: the queue order's, for a query that walks its index; else the
    ticket's own, and no due time (tickets no longer open have no running clock), so that the
    query needs no join."""
    if walked:
        return {
            "resolution_due": F("queue_order__resolution_due_at"),
            "due_priority": F("queue_order__priority"),
            "due_created_at": F("queue_order__created_at"),
        }
    return {
        # Cast: PostgreSQL takes no bare constant in an ORDER BY.
        "resolution_due": Cast(Value(None), DateTimeField()),
        "due_priority": F("priority"),
        "due_created_at": F("created_at"),
    }


def queue_tickets(
    viewer: Person,
    queue: Queue,
    filters: QueueFilters = QueueFilters(),
    sort: str = DEFAULT_SORT,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """One queue's tickets with `resolution_due`, `categorize_due`, `is_urgent` and
    `ahead_approval` annotated, filtered, searched and sorted. Page it with Django's paginator."""
    now = now or timezone.now()
    # The queues of open tickets walk the queue order's index (`_queue_condition`).
    walked = queue not in QUEUES_BEYOND_OPEN
    tickets: QuerySet[Ticket] = (
        _queue_base(viewer, queue, walked=walked)
        .filter(_queue_condition(viewer, queue, now, counting=False))
        .annotate(**_due_order(walked))
        .annotate(
            categorize_due=_clock_due(Metric.CATEGORIZE),
            # The requester sent an urgent message (`tickets.services.replies`).
            is_urgent=Exists(
                TicketHistory.objects.filter(ticket_id=OuterRef("pk"), action=URGENT_ACTION)
            ),
            # A supervisor let this scheduled work go ahead of overdue work: the latest reason.
            ahead_approval=Subquery(
                TicketHistory.objects.filter(
                    ticket_id=OuterRef("pk"), action=SCHEDULED_AHEAD_ACTION
                )
                .order_by("-at", "-pk")
                .values("after")[:1]
            ),
        )
        .select_related(*QUEUE_RELATED)
    )
    tickets = _filtered(tickets, filters)
    if filters.text.strip():
        key = "queue_order__ticket_id" if walked else "pk"
        tickets = tickets_matching(viewer, tickets, filters.text, open_only=walked, key=key)
    return _ordered(tickets, sort)


def queue_counted(
    viewer: Person,
    queue: Queue,
    filters: QueueFilters = QueueFilters(),
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """The tickets of `queue_tickets` (without a text search) in the shape a count reads best:
    no annotation, the ticket's own state where its indexes answer, in the order of the index
    that holds them (COUNT_ORDER). The nav's counts are these too."""
    now = now or timezone.now()
    # Only the queues of a due time count in the queue order's index (`_queue_condition`).
    walked = COUNT_ORDER.get(queue) == OPEN_DUE_ORDER
    tickets = _queue_base(viewer, queue, walked=walked).filter(
        _queue_condition(viewer, queue, now, counting=True)
    )
    return _filtered(tickets, filters).order_by(*COUNT_ORDER.get(queue, ()))


# The order each queue's capped count reads its rows in: the order of the index that holds
# them (`Ticket.Meta.indexes`, `QueueOrder.Meta.indexes`), so that PostgreSQL walks that index
# and stops at the cap. The count is the same in any order (the first COUNT_CAP + 1 rows, or all
# when fewer); without one the planner builds a bitmap of every matching row before the first
# (the awaiting queue, 45,000 rows, 9.7 ms as an agent scoped to one agency at a million
# tickets; walked: 1.4 ms), or scans the table from wherever another scan has got to (the
# scoped agent's all-open queue: 166,000 rows, 73 ms; walked: 2.3 ms). Left out: the group
# queues, whose best plan walks each group's rows of the group index (an order over all groups
# would sort them).
OPEN_DUE_ORDER = (  # `queue_open_due` and `queue_waiting_due`
    "queue_order__resolution_due_at",
    "queue_order__priority",
    "queue_order__created_at",
    "pk",
)
# `ticket_state_scope`, which holds every column these counts ask on PostgreSQL, the access
# policy's too.
STATE_SCOPE_ORDER = ("state", "agency_id", "assignment_group_id", "assignee_id")
OWN_OPEN_ORDER = ("assignee_id", "priority", "created_at")  # `ticket_assignee_open_priority`
# The counts (`queue_counted`), which ask the ticket's state where they can.
COUNT_ORDER: dict[Queue, tuple[str, ...]] = {
    Queue.NEW: STATE_SCOPE_ORDER,
    Queue.WAITING: STATE_SCOPE_ORDER,
    Queue.MY_OPEN: OWN_OPEN_ORDER,
    Queue.UNCATEGORIZED: STATE_SCOPE_ORDER,
    Queue.BREACHING_SOON: OPEN_DUE_ORDER,
    Queue.OVERDUE: OPEN_DUE_ORDER,
    Queue.ALL_OPEN: STATE_SCOPE_ORDER,
}


def _counted_keys(viewer: Person, queue: Queue, now: datetime) -> QuerySet[Any]:
    """The keys a queue's count reads. The queues of a due time (unfiltered: the nav's and the
    home's counts) are counted in the queue order alone, whose index holds everything they ask;
    through the tickets, each ticket counted was looked up (`visible_queue_order`)."""
    if queue == Queue.OVERDUE:
        due = _tickets_with_running_clock(now, via="")
    elif queue == Queue.BREACHING_SOON:
        due = _tickets_with_running_clock(now + BREACHING_SOON, now, via="")
    else:
        return queue_counted(viewer, queue, now=now).values("pk")
    rows = visible_queue_order(viewer).filter(due)
    return rows.order_by("resolution_due_at", "priority", "created_at", "pk").values("pk")


# The counts' statement for each shape met (`core.statements`).
_COUNTS = CompiledStatements()


def _counts_statement(
    viewer: Person, queues: tuple[Queue, ...], now: datetime
) -> tuple[str, list[Any]]:
    counted: list[str] = []
    params: list[Any] = []
    for queue in queues:
        capped = _counted_keys(viewer, queue, now)
        sql, values = capped[: COUNT_CAP + 1].query.sql_with_params()
        counted.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(values)
    return f"SELECT {', '.join(counted)}", params


def queue_counts(
    viewer: Person, now: datetime | None = None, queues: Iterable[Queue] = tuple(Queue)
) -> dict[Queue, int]:
    """The sizes of `queues` (every queue by default) in one query, each counted up to
    COUNT_CAP + 1 (as a queue's page counts, `queue_pages.QueueRows.capped_count`): the nav
    polls them all, the workspace home shows the ones that need no SLA look-up. Each count
    reads at most that many index entries (a count of every open ticket cost 0.3–1.8 s at a
    million tickets on PostgreSQL). The statement is compiled once for each shape: who asks,
    with which role and scope, for which queues."""
    now = now or timezone.now()
    wanted = tuple(queues)
    shape = (*reach_shape(viewer), wanted, COUNT_CAP)
    row = _COUNTS.fetchone(now, shape, lambda moment: _counts_statement(viewer, wanted, moment))
    return {queue: int(count) for queue, count in zip(wanted, row, strict=True)}
