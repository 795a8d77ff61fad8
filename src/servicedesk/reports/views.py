"""The reports' pages: the dashboard and the tickets behind any of its bars (thin adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from servicedesk.core.editions import reads_configuration
from servicedesk.directory.models import Person
from servicedesk.reports.dashboard import FIGURES, Dashboard, dashboard_build, drill_down
from servicedesk.reports.export_responses import export_response
from servicedesk.reports.figures import Figure
from servicedesk.reports.filters import ReportFilterForm, ReportFilters
from servicedesk.reports.refresh import kept_seconds, rebuild_behind
from servicedesk.tickets.access import ticket_scope
from servicedesk.tickets.models import Ticket

PAGE_SIZE = 50
DRILL_SOURCE = "reports.drill"
LABEL_MAX = 120

TITLES: dict[str, Any] = {
    "volume": _("Tickets filed per day, by channel"),
    "backlog": _("Open backlog by age"),
    "sla": _("SLA compliance per metric"),
    "sla_groups": _("SLA compliance by group (% met)"),
    "sla_priorities": _("SLA compliance by priority (% met)"),
    "breaches": _("SLA breaches in the period"),
    "outcomes": _("Resolutions, redirects, reopens and disputes"),
    "satisfaction": _("Satisfaction ratings"),
    "services": _("Top services"),
    "categories": _("Top categories"),
    "workload": _("Open tickets per agent"),
}


def scoped_cache_key(name: str, viewer: Person, filters: ReportFilters) -> str:
    """One cached copy for everyone who sees every ticket, one per person otherwise: a figure
    never travels from one scope to another."""
    whose = "all" if ticket_scope(viewer).everything else f"person-{viewer.pk}"
    narrowed = f"{filters.group_id}-{filters.agency_id}-{filters.service_id}"
    return f"reports:{name}:{whose}:{filters.start}:{filters.end}:{narrowed}"


def staff_viewer(request: HttpRequest) -> Person:
    """Reports are for the people who work tickets; anyone else gets a plain 404."""
    user = request.user
    if not isinstance(user, Person) or not user.is_active or not user.is_staff_member:
        raise Http404
    return user


@dataclass(frozen=True)
class Cell:
    value: float | None
    link: str


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]
    rate: float | None


@dataclass(frozen=True)
class FigureView:
    name: str
    title: str
    figure: Figure
    chart: dict[str, Any]
    rows: list[Row]


def drill_links(figure: Figure, filters: ReportFilters) -> list[list[str]]:
    """Each series' drill-down link for each of the figure's keys. The filters' part of the
    query is encoded once: a dashboard has some three hundred links."""
    common = urlencode({**filters.as_query(), "figure": figure.name})
    base = f"{reverse('reports:tickets')}?{common}&"
    return [
        [
            base + urlencode({"series": s.key, "key": key, "label": f"{s.label} · {label}"})
            for key, label in zip(figure.keys, figure.labels, strict=True)
        ]
        for s in figure.series
    ]


def present(figure: Figure, filters: ReportFilters) -> FigureView:
    title = str(TITLES[figure.name])
    links = drill_links(figure, filters)
    chart = {
        "title": title,
        "labels": figure.labels,
        "stacked": figure.stacked,
        "unit": figure.unit,
        "datasets": [
            {"label": s.label, "data": s.values, "links": links[n]}
            for n, s in enumerate(figure.series)
        ],
    }
    rates = figure.rates or [None] * len(figure.labels)
    rows = [
        Row(
            label=label,
            cells=[Cell(s.values[i], links[n][i]) for n, s in enumerate(figure.series)],
            rate=rates[i],
        )
        for i, label in enumerate(figure.labels)
    ]
    return FigureView(figure.name, title, figure, chart, rows)


def figures_html(key: str, built: Dashboard, filters: ReportFilters) -> str:
    """The figures of a cached build, rendered once for each language and time zone that reads
    them, and kept as long as the build: a dashboard is some three hundred table cells and
    links, whose rendering was two thirds of a cached dashboard's cost (22 of 31 ms of CPU at a
    million tickets). The build's moment is in the key, so a new build is rendered anew."""
    rendered_key = (
        f"{key}:html:{built.built_at.timestamp()}:{get_language()}"
        f":{timezone.get_current_timezone_name()}"
    )
    kept = cache.get(rendered_key)
    if isinstance(kept, str):
        return kept
    context = {
        "figures": {name: present(figure, filters) for name, figure in built.figures.items()},
        "average_rating": built.average_rating,
        "comments": built.comments,
    }
    html = render_to_string("reports/_figures.html", context)
    cache.set(rendered_key, html, kept_seconds())
    return html


def _counted_and_rendered(
    key: str, viewer: Person, filters: ReportFilters, language: str, zone: str
) -> Dashboard:
    """A new build with its figures rendered for the language and time zone of the person whose
    request started it, before the build is stored: the request that first finds the new build
    finds its rendering too (rendering was some 20 ms of a request at a million tickets)."""
    built = dashboard_build(viewer, filters)
    with translation.override(language), timezone.override(zone):
        figures_html(key, built, filters)
    return built


def _dashboard(key: str, viewer: Person, filters: ReportFilters) -> Dashboard:
    """The cached build; one past its minute is shown while the next is counted behind it
    (reports.refresh); none kept is counted here."""
    built = cache.get(key)
    if not isinstance(built, Dashboard):
        built = dashboard_build(viewer, filters)
        cache.set(key, built, kept_seconds())
        return built
    age = (timezone.now() - built.built_at).total_seconds()
    if age > settings.SERVICEDESK_REPORTS_CACHE_SECONDS:
        zone = timezone.get_current_timezone_name()
        build = partial(_counted_and_rendered, key, viewer, filters, get_language(), zone)
        rebuild_behind(key, build)
    return built


@login_required
@require_GET
@reads_configuration  # the filters' lists of groups, agencies and services
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = staff_viewer(request)
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    key = scoped_cache_key("dashboard", viewer, filters)
    built = _dashboard(key, viewer, filters)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "filters": filters,
            # Rendered from the figures alone (escaped there), so safe to place as it is.
            "figures_html": mark_safe(figures_html(key, built, filters)),
            "counted_at": built.built_at,
            "subscribe_query": urlencode({"dashboard": urlencode(filters.as_query())}),
        },
    )


def drilled_tickets(viewer: Person, params: QueryDict) -> QuerySet[Ticket]:
    """The drill-down's tickets for a query string (the page, its export, a background export)."""
    filters = ReportFilterForm(params).filters()
    figure = params.get("figure", "")
    if figure not in FIGURES:
        raise Http404
    series, key = params.get("series", ""), params.get("key", "")
    return drill_down(viewer, filters, figure, series, key).order_by("-created_at", "-pk")


def _drilled(request: HttpRequest) -> tuple[str, ReportFilters, QuerySet[Ticket]]:
    viewer = staff_viewer(request)
    found = drilled_tickets(viewer, request.GET)
    return request.GET["figure"], ReportFilterForm(request.GET).filters(), found


@login_required
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    """The tickets behind one bar: the same condition the bar's count used."""
    figure, filters, found = _drilled(request)
    found = found.select_related("assignment_group", "assignee")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "reports/tickets.html",
        {
            "title": TITLES[figure],
            "label": request.GET.get("label", "")[:LABEL_MAX],
            "filters": filters,
            "page": page,
            "query_without_page": keep.urlencode(),
            "dashboard_query": urlencode(filters.as_query()),
        },
    )


@login_required
@require_GET
def tickets_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The same tickets as the drill-down list, as CSV or XLSX."""
    figure, _filters, found = _drilled(request)
    return export_response(
        found,
        fmt,
        f"report-{figure}",
        owner=staff_viewer(request),
        source=DRILL_SOURCE,
        params=request.GET,
    )
