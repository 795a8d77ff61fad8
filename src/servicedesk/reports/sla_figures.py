"""SLA figures: compliance per metric (overall, by group, by priority) and the breaches.

A clock counts as *met* when it stopped in time, as *breached* once its target passed (running
or stopped); clocks still running in time, or with no target, are not yet decided and count in
neither. Compliance is met / (met + breached), over the clocks of tickets filed in the period.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.catalog.choices import Priority
from servicedesk.reports.figures import Figure, Moment, Series, created_in
from servicedesk.sla.choices import Metric, Outcome
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.models import Ticket

MET = Q(outcome=Outcome.MET, breached_at__isnull=True)
BREACHED = Q(breached_at__isnull=False) | Q(outcome=Outcome.BREACHED)
NO_GROUP = "none"
NO_PRIORITY = "none"


def _clocks_of(tickets: QuerySet[Ticket]) -> QuerySet[TicketClock]:
    return TicketClock.objects.filter(ticket_id__in=tickets.values("pk")).order_by()


def _decided_rows(tickets: QuerySet[Ticket], moment: Moment) -> list[dict[str, Any]]:
    """Met and breached clocks per (metric, group, priority): one query shared by three charts."""
    cached = moment.memo.get("sla_rows")
    if isinstance(cached, list):
        return cached
    rows = list(
        _clocks_of(tickets.filter(created_in(moment.filters)))
        .values(
            "metric",
            "ticket__assignment_group_id",
            "ticket__assignment_group__name",
            "ticket__priority",
        )
        .annotate(met=Count("pk", filter=MET), breached=Count("pk", filter=BREACHED))
    )
    moment.memo["sla_rows"] = rows
    return rows


def _rate(met: int, breached: int) -> float | None:
    decided = met + breached
    return round(100 * met / decided, 1) if decided else None


def compliance(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    met: dict[str, int] = defaultdict(int)
    breached: dict[str, int] = defaultdict(int)
    for row in _decided_rows(tickets, moment):
        met[row["metric"]] += row["met"]
        breached[row["metric"]] += row["breached"]
    metrics = list(Metric)
    return Figure(
        "sla",
        labels=[str(metric.label) for metric in metrics],
        keys=[metric.value for metric in metrics],
        series=[
            Series("met", str(_("Met")), [met[m.value] for m in metrics]),
            Series("breached", str(_("Breached")), [breached[m.value] for m in metrics]),
        ],
        stacked=True,
        rates=[_rate(met[m.value], breached[m.value]) for m in metrics],
    )


def _compliance_by(
    name: str, moment: Moment, rows: list[dict[str, Any]], key_of: str, label_of: str
) -> Figure:
    met: dict[tuple[str, str], int] = defaultdict(int)
    breached: dict[tuple[str, str], int] = defaultdict(int)
    labels: dict[str, str] = {}
    for row in rows:
        key = str(row[key_of] or NO_GROUP)
        labels[key] = row[label_of] or str(_("None"))
        met[(key, row["metric"])] += row["met"]
        breached[(key, row["metric"])] += row["breached"]
    keys = sorted(labels, key=lambda k: labels[k])
    return Figure(
        name,
        labels=[labels[k] for k in keys],
        keys=keys,
        series=[
            Series(
                metric.value,
                str(metric.label),
                [_rate(met[(k, metric.value)], breached[(k, metric.value)]) for k in keys],
            )
            for metric in Metric
        ],
        unit="percent",
    )


def compliance_by_group(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    rows = _decided_rows(tickets, moment)
    return _compliance_by(
        "sla_groups",
        moment,
        rows,
        "ticket__assignment_group_id",
        "ticket__assignment_group__name",
    )


def compliance_by_priority(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    priority_names = dict(Priority.choices)
    rows = [
        {**row, "priority_label": priority_names.get(row["ticket__priority"], "")}
        for row in _decided_rows(tickets, moment)
    ]
    return _compliance_by("sla_priorities", moment, rows, "ticket__priority", "priority_label")


def _decided_tickets(tickets: QuerySet[Ticket], moment: Moment, metric: str) -> QuerySet[Ticket]:
    filed = tickets.filter(created_in(moment.filters))
    clocks = _clocks_of(filed).filter(MET | BREACHED)
    if metric:
        clocks = clocks.filter(metric=metric)
    return filed.filter(pk__in=clocks.values("ticket_id"))


def compliance_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    """The tickets whose `key` clock was met (series "met") or breached ("breached")."""
    outcome = MET if series == "met" else BREACHED
    clocks = _clocks_of(tickets.filter(created_in(moment.filters))).filter(outcome, metric=key)
    return tickets.filter(pk__in=clocks.values("ticket_id"))


def by_group_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    chosen = _decided_tickets(tickets, moment, series)
    if key == NO_GROUP:
        return chosen.filter(assignment_group__isnull=True)
    return chosen.filter(assignment_group_id=int(key) if key.isdigit() else 0)


def by_priority_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    return _decided_tickets(tickets, moment, series).filter(
        priority="" if key == NO_PRIORITY else key
    )


# --- Breaches in the period ---------------------------------------------------------------


def _breached_in(tickets: QuerySet[Ticket], moment: Moment) -> QuerySet[TicketClock]:
    filters = moment.filters
    return _clocks_of(tickets).filter(breached_at__gte=filters.since, breached_at__lt=filters.until)


def breaches(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    counts = {
        row["metric"]: row["count"]
        for row in _breached_in(tickets, moment).values("metric").annotate(count=Count("pk"))
    }
    metrics = list(Metric)
    return Figure(
        "breaches",
        labels=[str(metric.label) for metric in metrics],
        keys=[metric.value for metric in metrics],
        series=[Series("breached", str(_("Breaches")), [counts.get(m.value, 0) for m in metrics])],
    )


def breaches_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    clocks = _breached_in(tickets, moment)
    if key:
        clocks = clocks.filter(metric=key)
    return tickets.filter(pk__in=clocks.values("ticket_id"))
