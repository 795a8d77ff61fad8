"""The dashboard as one read: every figure for one person and one set of filters, and the
tickets behind any bar (the drill-down)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.directory.models import Person
from servicedesk.reports import figures, quality, sla_figures
from servicedesk.reports.figures import Figure, FigureKind, Moment
from servicedesk.reports.filters import ReportFilters, scoped_tickets
from servicedesk.tickets.models import SatisfactionSurvey, Ticket

FIGURES: dict[str, FigureKind] = {
    "volume": FigureKind(figures.volume, figures.volume_drill),
    "backlog": FigureKind(figures.backlog, figures.backlog_drill),
    "sla": FigureKind(sla_figures.compliance, sla_figures.compliance_drill),
    "sla_groups": FigureKind(sla_figures.compliance_by_group, sla_figures.by_group_drill),
    "sla_priorities": FigureKind(sla_figures.compliance_by_priority, sla_figures.by_priority_drill),
    "breaches": FigureKind(sla_figures.breaches, sla_figures.breaches_drill),
    "outcomes": FigureKind(quality.outcomes, quality.outcomes_drill),
    "satisfaction": FigureKind(quality.satisfaction, quality.satisfaction_drill),
    "services": FigureKind(figures.services, figures.services_drill),
    "categories": FigureKind(figures.categories, figures.categories_drill),
    "workload": FigureKind(figures.workload, figures.workload_drill),
}


@dataclass(frozen=True)
class Dashboard:
    figures: dict[str, Figure]
    average_rating: float | None
    comments: list[SatisfactionSurvey]
    # The moment the figures were counted at: names this build where its rendering is kept.
    built_at: datetime


def dashboard_build(
    viewer: Person, filters: ReportFilters, now: datetime | None = None
) -> Dashboard:
    moment = Moment(filters, now or timezone.now())
    tickets = scoped_tickets(viewer, filters)
    built = {name: kind.compute(tickets, moment) for name, kind in FIGURES.items()}
    return Dashboard(
        figures=built,
        average_rating=quality.average_rating(built["satisfaction"]),
        comments=quality.satisfaction_comments(tickets, moment),
        built_at=moment.now,
    )


def drill_down(
    viewer: Person,
    filters: ReportFilters,
    figure: str,
    series: str,
    key: str,
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """The tickets behind one bar of one figure (none for a figure that does not exist)."""
    tickets = scoped_tickets(viewer, filters)
    kind = FIGURES.get(figure)
    if kind is None:
        return tickets.none()
    moment = Moment(filters, now or timezone.now())
    return kind.drill(tickets, moment, series, key)
