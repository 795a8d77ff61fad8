"""The dashboard's figures: each counts tickets and can list the tickets behind any of its bars.

A figure has labels (the bars along its axis, each with a drill-down key) and series (one value
per label). `drill` answers "which tickets make up this bar?" with the same condition the count
used, so a click on a bar lands on exactly the tickets it counted. Reads only; every query
starts from `filters.scoped_tickets`, that is from the access policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from servicedesk.reports.filters import ReportFilters, day_start, report_zone
from servicedesk.tickets.choices import Channel
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES

TOP = 10
WORKLOAD_TOP = 25


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: list[float | None]


@dataclass
class Figure:
    name: str
    labels: list[str]
    keys: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = "tickets"
    stacked: bool = False
    # A percentage per label shown beside the counts in the table (compliance, for instance).
    rates: list[float | None] | None = None

    @property
    def is_empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)


@dataclass
class Moment:
    """The filters and the instant the figures are computed at (ages count from it); `memo`
    keeps a query's rows that several figures share, for one page."""

    filters: ReportFilters
    now: datetime
    memo: dict[str, object] = field(default_factory=dict)


Compute = Callable[[QuerySet[Ticket], Moment], Figure]
Drill = Callable[[QuerySet[Ticket], Moment, str, str], QuerySet[Ticket]]


@dataclass(frozen=True)
class FigureKind:
    compute: Compute
    drill: Drill


def created_in(filters: ReportFilters) -> Q:
    return Q(created_at__gte=filters.since, created_at__lt=filters.until)


# --- Volume per day by channel ----------------------------------------------------------------


def volume(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    filters = moment.filters
    rows = (
        tickets.filter(created_in(filters))
        .annotate(day=TruncDate("created_at", tzinfo=report_zone()))
        .values("day", "channel")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[date, str], int] = {(r["day"], r["channel"]): r["count"] for r in rows}
    days = filters.days()
    used = {channel for _, channel in counts}
    series = [
        Series(channel.value, str(channel.label), [counts.get((d, channel.value), 0) for d in days])
        for channel in Channel
        if channel.value in used
    ]
    return Figure(
        "volume",
        labels=[f"{d:%b %-d}" for d in days],
        keys=[d.isoformat() for d in days],
        series=series,
        stacked=True,
    )


def volume_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    chosen = tickets.filter(created_in(moment.filters))
    if series:
        chosen = chosen.filter(channel=series)
    if key:
        try:
            day = date.fromisoformat(key)
        except ValueError:
            return chosen.none()
        chosen = chosen.filter(
            created_at__gte=day_start(day), created_at__lt=day_start(day + timedelta(days=1))
        )
    return chosen


# --- Open backlog by age ----------------------------------------------------------------------

AGE_BUCKETS: list[tuple[str, str]] = [
    ("under_1", str(_("Under 1 day"))),
    ("1_to_7", str(_("1 to 7 days"))),
    ("over_7", str(_("Over 7 days"))),
]


def age_condition(bucket: str, now: datetime) -> Q:
    day_ago, week_ago = now - timedelta(days=1), now - timedelta(days=7)
    conditions = {
        "under_1": Q(created_at__gt=day_ago),
        "1_to_7": Q(created_at__lte=day_ago, created_at__gt=week_ago),
        "over_7": Q(created_at__lte=week_ago),
    }
    return conditions[bucket]


def backlog(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    counts = tickets.filter(state__in=OPEN_STATES).aggregate(
        **{key: Count("pk", filter=age_condition(key, moment.now)) for key, _ in AGE_BUCKETS}
    )
    return Figure(
        "backlog",
        labels=[label for _, label in AGE_BUCKETS],
        keys=[key for key, _ in AGE_BUCKETS],
        series=[Series("open", str(_("Open")), [counts[key] for key, _ in AGE_BUCKETS])],
    )


def backlog_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    chosen = tickets.filter(state__in=OPEN_STATES)
    if key in dict(AGE_BUCKETS):
        chosen = chosen.filter(age_condition(key, moment.now))
    return chosen


# --- Top services and categories, each agent's workload ----------------------------------------


def _ranked(
    name: str, rows: list[tuple[int, str, int]], series_key: str, series_label: str
) -> Figure:
    return Figure(
        name,
        labels=[label for _, label, _ in rows],
        keys=[str(pk) for pk, _, _ in rows],
        series=[Series(series_key, series_label, [count for _, _, count in rows])],
    )


def services(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    rows = (
        tickets.filter(created_in(moment.filters), service__isnull=False)
        .values("service_id", "service__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "service__name")[:TOP]
    )
    ranked = [(r["service_id"], r["service__name"], r["count"]) for r in rows]
    return _ranked("services", ranked, "created", str(_("Tickets")))


def services_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    return tickets.filter(created_in(moment.filters), service_id=_pk(key))


def categories(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    rows = (
        tickets.filter(created_in(moment.filters), category__isnull=False)
        .values("category_id", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__name")[:TOP]
    )
    ranked = [(r["category_id"], r["category__name"], r["count"]) for r in rows]
    return _ranked("categories", ranked, "created", str(_("Tickets")))


def categories_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    return tickets.filter(created_in(moment.filters), category_id=_pk(key))


def workload(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    rows = (
        tickets.filter(state__in=OPEN_STATES, assignee__isnull=False)
        .values("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(count=Count("pk"))
        .order_by("-count", "assignee__username")[:WORKLOAD_TOP]
    )
    ranked = [
        (
            r["assignee_id"],
            f"{r['assignee__first_name']} {r['assignee__last_name']}".strip()
            or r["assignee__username"],
            r["count"],
        )
        for r in rows
    ]
    return _ranked("workload", ranked, "open", str(_("Open tickets")))


def workload_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    return tickets.filter(state__in=OPEN_STATES, assignee_id=_pk(key))


def _pk(key: str) -> int:
    """A drill-down key naming a row; anything else matches nothing (never everything)."""
    return int(key) if key.isdigit() else 0
