"""What a subscription's mail says (reads only), and when it is due.

The tickets are always the subscription's viewer's: a saved view's filters are applied to the
viewer's queue (`tickets.queues`, which starts from `tickets.access`), the dashboard's figures are
built for the viewer (`dashboard_build`, which starts from `filters.scoped_tickets`). A subscriber
never reads in a mail a ticket their workspace would not list.

A dashboard subscription keeps its filters' group, agency and service and the period's length;
each mail covers that many days ending on the day it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from servicedesk.reports.dashboard import dashboard_build
from servicedesk.reports.filters import (
    DEFAULT_DAYS,
    LONGEST_PERIOD_DAYS,
    ReportFilterForm,
    ReportFilters,
    report_zone,
)
from servicedesk.reports.models import Frequency, Subscription, SubscriptionSource
from servicedesk.reports.views import TITLES
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.queues import Queue, queue_tickets
from servicedesk.workspace.forms import QueueFilterForm
from servicedesk.workspace.selectors import queue_filters

TICKETS_LISTED = 50
DASHBOARD_NARROWING = ("group", "agency", "service")


def due_moment(subscription: Subscription, now: datetime) -> datetime:
    """The latest moment at or before `now` this subscription was meant to go."""
    zone = ZoneInfo(subscription.time_zone)
    local = now.astimezone(zone)
    day = local.date()
    step = timedelta(days=1)
    if subscription.frequency == Frequency.WEEKLY:
        day -= timedelta(days=(day.weekday() - (subscription.weekday or 0)) % 7)
        step = timedelta(days=7)
    moment = datetime.combine(day, subscription.send_at, tzinfo=zone)
    return moment - step if moment > local else moment


def is_due(subscription: Subscription, now: datetime) -> bool:
    """Once per period: due when its latest moment has passed and nothing went since."""
    if subscription.cancelled_at is not None:
        return False
    moment = due_moment(subscription, now)
    if moment < subscription.created_at:
        return False
    return subscription.last_sent_at is None or subscription.last_sent_at < moment


def dashboard_query_of(params: QueryDict) -> str:
    """What a dashboard subscription keeps of the dashboard's query: the period's length in days
    and the group, agency and service (ids the filter form accepts; the rest is dropped)."""
    filters = ReportFilterForm(params).filters()
    kept = {"days": str((filters.end - filters.start).days + 1)}
    narrowed = {
        "group": filters.group_id,
        "agency": filters.agency_id,
        "service": filters.service_id,
    }
    kept.update({name: str(value) for name, value in narrowed.items() if value})
    return urlencode(kept)


def dashboard_filters(query: str, today: date) -> ReportFilters:
    params = QueryDict(query)
    try:
        days = min(max(int(params.get("days", DEFAULT_DAYS)), 1), LONGEST_PERIOD_DAYS)
    except ValueError:
        days = DEFAULT_DAYS
    narrowing = QueryDict(mutable=True)
    for name in DASHBOARD_NARROWING:
        if params.get(name):
            narrowing[name] = params[name]
    narrowing["start"] = (today - timedelta(days=days - 1)).isoformat()
    narrowing["end"] = today.isoformat()
    return ReportFilterForm(narrowing).filters()


@dataclass(frozen=True)
class FigureTable:
    title: str
    headers: list[str]
    rows: list[tuple[str, list[Any]]]


@dataclass(frozen=True)
class SubscriptionContent:
    subscription: Subscription
    title: str
    sent_at: datetime
    web_url: str
    tickets: list[Ticket]
    ticket_count: int
    figures: list[FigureTable]
    filters: ReportFilters | None


def _absolute(path: str) -> str:
    return f"{settings.SERVICEDESK_BASE_URL}{path}"


def _saved_view_content(subscription: Subscription, now: datetime) -> SubscriptionContent:
    view = subscription.saved_view
    assert view is not None
    filters, sort = queue_filters(QueueFilterForm(QueryDict(view.query)))
    found = queue_tickets(subscription.viewer, Queue(view.queue), filters, sort)
    listed = list(found.select_related("assignment_group", "assignee")[:TICKETS_LISTED])
    if subscription.distribution_list_id is None:
        page = reverse("workspace:saved_view", args=[view.pk])
    else:  # the list's readers open the same queue and filters, each in their own scope
        page = reverse("workspace:queue", args=[view.queue]) + (
            f"?{view.query}" if view.query else ""
        )
    return SubscriptionContent(
        subscription=subscription,
        title=view.name,
        sent_at=now,
        web_url=_absolute(page),
        tickets=listed,
        ticket_count=len(listed) if len(listed) < TICKETS_LISTED else found.count(),
        figures=[],
        filters=None,
    )


def _dashboard_content(subscription: Subscription, now: datetime) -> SubscriptionContent:
    filters = dashboard_filters(
        subscription.dashboard_query, timezone.localdate(now, report_zone())
    )
    built = dashboard_build(subscription.viewer, filters, now)
    tables = [
        FigureTable(
            title=str(TITLES[name]),
            headers=[series.label for series in figure.series],
            rows=[
                (label, [series.values[i] for series in figure.series])
                for i, label in enumerate(figure.labels)
            ],
        )
        for name, figure in built.figures.items()
    ]
    page = f"{reverse('reports:dashboard')}?{urlencode(filters.as_query())}"
    return SubscriptionContent(
        subscription=subscription,
        title="",
        sent_at=now,
        web_url=_absolute(page),
        tickets=[],
        ticket_count=0,
        figures=tables,
        filters=filters,
    )


def subscription_content(subscription: Subscription, now: datetime) -> SubscriptionContent:
    if subscription.source == SubscriptionSource.SAVED_VIEW:
        return _saved_view_content(subscription, now)
    return _dashboard_content(subscription, now)


@dataclass(frozen=True)
class RenderedSubscription:
    subject: str
    text: str
    html: str


def subscription_render(content: SubscriptionContent) -> RenderedSubscription:
    """Subject, text and HTML, with times in the subscription's zone."""
    cancel_url = _absolute(reverse("reports:subscription_cancel", args=[content.subscription.key]))
    context = {"content": content, "cancel_url": cancel_url}
    with timezone.override(ZoneInfo(content.subscription.time_zone)):
        subject = render_to_string("reports/mail/subscription_subject.txt", context)
        text = render_to_string("reports/mail/subscription.txt", context)
        html = render_to_string("reports/mail/subscription.html", context)
    return RenderedSubscription(" ".join(subject.split()), text.strip() + "\n", html)
