"""A queue's pages: the paginators of a queue and of a search, and each page's rows read with
their statement compiled once.

A queue page's statement (the access policy, the queue's condition, four annotations, the
group and assignee joined) took Django 3-6 ms of CPU to compile on every page at a million
tickets, more than PostgreSQL took to answer it. It depends only on who asks (their role and
scope), the queue, its filters, its order, which page, and the moment: it is compiled once for
each such shape (`core.kept_queries.KeptByShape`), and the moment put into it; so is its count
(`core.statements`). A search, whose statement holds its words, is compiled each time; the
viewer's own open tickets are kept with which column their statement asks, which depends on how
many they hold (`queues.own_open_walked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from servicedesk.core.kept_queries import KeptByShape
from servicedesk.core.statements import CompiledStatements
from servicedesk.directory.models import Person
from servicedesk.tickets import queues
from servicedesk.tickets.access import reach_shape
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import (
    Queue,
    QueueFilters,
    own_open_walked,
    queue_counted,
    queue_tickets,
)

_PAGES = KeptByShape()
_COUNTS = CompiledStatements()


@dataclass(frozen=True)
class QueueRows:
    """A queue's tickets as its paginator slices them (`queue_tickets`), each slice read with
    the statement kept for its shape."""

    viewer: Person
    queue: Queue
    filters: QueueFilters
    sort: str
    now: datetime
    ordered: ClassVar[bool] = True  # as Django's paginator asks of what it pages

    def _rows(self, moment: datetime, rows: slice) -> QuerySet[Ticket]:
        tickets = queue_tickets(self.viewer, self.queue, self.filters, self.sort, now=moment)
        return tickets[rows]

    def _shape(self) -> tuple[Any, ...]:
        return (*reach_shape(self.viewer), self.queue)

    def __getitem__(self, rows: slice) -> QuerySet[Ticket] | list[Ticket]:
        if rows.start == rows.stop:
            # An empty queue's page: Django would build the whole statement (8 ms of CPU at a
            # million tickets) before finding the slice empty.
            return []
        if self.filters.text.strip():
            return self._rows(self.now, rows)
        shape = (*self._shape(), self.filters, self.sort, rows.start, rows.stop)
        if self.queue == Queue.MY_OPEN:  # which column the statement asks
            shape = (*shape, own_open_walked(self.viewer))
        return _PAGES.at(self.now, shape, lambda moment: self._rows(moment, rows))

    def capped_count(self) -> int:
        """How many tickets, counted up to COUNT_CAP + 1 in the order a count reads best
        (`queues.queue_counted`): more than COUNT_CAP reads as "1,000+"."""
        shape = (*self._shape(), self.filters, queues.COUNT_CAP)
        (counted,) = _COUNTS.fetchone(self.now, shape, self._count_statement)
        return int(counted)

    def _count_statement(self, moment: datetime) -> tuple[str, list[Any]]:
        counted = queue_counted(self.viewer, self.queue, self.filters, now=moment)
        sql, params = counted.values("pk")[: queues.COUNT_CAP + 1].query.sql_with_params()
        return f"SELECT COUNT(*) FROM ({sql}) counted", list(params)


class QueuePaginator(Paginator):  # type: ignore[type-arg]
    """Pages of a queue whose count stops past COUNT_CAP, so that paging costs no more at a
    million tickets than at a thousand; the pages past the cap are not offered."""

    def __init__(self, rows: QueueRows, per_page: int) -> None:
        super().__init__(rows, per_page)  # type: ignore[arg-type]  # only sliced: `QueueRows`
        self.rows = rows

    @cached_property
    def counted(self) -> int:
        return self.rows.capped_count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, queues.COUNT_CAP)

    @property
    def more(self) -> bool:
        """More tickets than the pages offer: the queue's count reads "1,000+"."""
        return self.counted > queues.COUNT_CAP


class SearchPaginator(Paginator):  # type: ignore[type-arg]
    """Pages of a search, counted no further than the page shown plus one ticket.

    A search's matches are not in the queue's index order: counting them, even up to COUNT_CAP,
    finds every match of a common word first (a word in 63,000 of a million tickets cost the
    scoped agent's count 90–270 ms, more than the page). The page reads one ticket more than it
    shows instead; that one says whether a next page exists ("25+ tickets"), and the last page
    knows the exact number. Pages stop at COUNT_CAP, as a queue's do.
    """

    def get_page(self, number: Any) -> Page:  # type: ignore[type-arg]
        try:
            wanted = max(1, int(number))
        except (TypeError, ValueError):
            wanted = 1
        wanted = min(wanted, max(1, queues.COUNT_CAP // self.per_page))
        start = (wanted - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and wanted > 1:
            return self.get_page(1)  # past the last page: the first, as Django's would
        self.more = len(rows) > self.per_page
        # The number of pages is known on the last one only: before it, "page 2", not "of N".
        self.open_ended = self.more
        self.__dict__["count"] = start + min(len(rows), self.per_page)
        self.__dict__["num_pages"] = wanted + 1 if self.more else wanted
        return Page(rows[: self.per_page], wanted, self)


def queue_paginator(
    viewer: Person, queue: Queue, filters: QueueFilters, sort: str, per_page: int
) -> QueuePaginator | SearchPaginator:
    """A queue's pages, or a search's."""
    if filters.text.strip():
        return SearchPaginator(queue_tickets(viewer, queue, filters, sort), per_page)
    return QueuePaginator(QueueRows(viewer, queue, filters, sort, timezone.now()), per_page)
