"""Every number on the dashboard equals a count made here, by hand, from the tickets themselves;
every bar's drill-down lists exactly the tickets it counted; an agency's agent sees only theirs."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import STAFF_ROLES, Role
from servicedesk.directory.models import Person
from servicedesk.reports.dashboard import FIGURES, dashboard_build, drill_down
from servicedesk.reports.figures import Figure
from servicedesk.reports.filters import ReportFilterForm, ReportFilters, report_zone
from servicedesk.reports.refresh import rebuilds_finish
from servicedesk.reports.tests.known_history import History, build_history
from servicedesk.reports.views import scoped_cache_key
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import SatisfactionSurvey, Ticket, TicketHistory
from servicedesk.tickets.services import ticket_create
from servicedesk.tickets.workflow import OPEN_STATES


@pytest.fixture
def history(org: Org) -> History:
    return build_history(org)


@pytest.fixture
def manager(org: Org) -> Person:
    return make_person("manager", Role.MANAGER, org.fiber)


def period(history: History) -> ReportFilters:
    today = timezone.localdate(history.now, report_zone())
    return ReportFilters(start=today - timedelta(days=20), end=today)


Cells = Counter[tuple[str, str]]


def hand_counts(tickets: list[Ticket], filters: ReportFilters, now: datetime) -> dict[str, Cells]:
    """The dashboard's figures, counted in Python from rows, without the report's queries."""
    zone = report_zone()
    in_period = [t for t in tickets if filters.since <= t.created_at < filters.until]
    ids = {t.pk for t in tickets}
    counts: dict[str, Cells] = {name: Counter() for name in FIGURES}
    for t in in_period:
        counts["volume"][(t.channel, t.created_at.astimezone(zone).date().isoformat())] += 1
        if t.service_id:
            counts["services"][("created", str(t.service_id))] += 1
        if t.category_id:
            counts["categories"][("created", str(t.category_id))] += 1
    for t in tickets:
        if t.state in OPEN_STATES:
            age = now - t.created_at
            bucket = (
                "under_1"
                if age < timedelta(days=1)
                else "1_to_7"
                if age < timedelta(days=7)
                else "over_7"
            )
            counts["backlog"][("open", bucket)] += 1
            if t.assignee_id:
                counts["workload"][("open", str(t.assignee_id))] += 1
    period_ids = {t.pk for t in in_period}
    for clock in TicketClock.objects.filter(ticket_id__in=ids):
        breached = clock.breached_at is not None or clock.outcome == "breached"
        if clock.ticket_id in period_ids:
            if breached:
                counts["sla"][("breached", clock.metric)] += 1
            elif clock.outcome == "met":
                counts["sla"][("met", clock.metric)] += 1
        if clock.breached_at and filters.since <= clock.breached_at < filters.until:
            counts["breaches"][("breached", clock.metric)] += 1

    def inside(at: datetime | None) -> bool:
        return at is not None and filters.since <= at < filters.until

    entries = list(TicketHistory.objects.filter(ticket_id__in=ids).select_related("actor"))
    moved = {e.ticket_id for e in entries if e.field == "assignment_group" and e.before}
    reopens = [
        e
        for e in entries
        if e.field == "state"
        and e.before in {"resolved", "closed"}
        and e.after in OPEN_STATES
        and inside(e.at)
    ]
    for t in tickets:
        outcome = counts["outcomes"]
        if inside(t.resolved_at):
            outcome[("tickets", "resolved")] += 1
            outcome[("tickets", "first_contact")] += t.pk not in moved
        if t.state == TicketState.REDIRECTED and inside(t.closed_at):
            outcome[("tickets", "redirected")] += 1
    counts["outcomes"][("tickets", "reopened")] += len({e.ticket_id for e in reopens})
    counts["outcomes"][("tickets", "disputed")] += len(
        {e.ticket_id for e in reopens if e.actor.role not in STAFF_ROLES}
    )
    for survey in SatisfactionSurvey.objects.filter(ticket_id__in=ids):
        if inside(survey.answered_at):
            counts["satisfaction"][("answers", str(survey.rating))] += 1
    return counts


def shown(figure: Figure) -> Cells:
    return Counter(
        {
            (series.key, key): value
            for series in figure.series
            for key, value in zip(figure.keys, series.values, strict=True)
            if value
        }
    )


COUNTED = [name for name in FIGURES if name not in {"sla_groups", "sla_priorities"}]


@pytest.mark.parametrize("who", ["manager", "agency agent"])
def test_every_figure_equals_the_hand_count_and_drills_to_its_tickets(
    history: History, manager: Person, org: Org, who: str
) -> None:
    viewer = manager if who == "manager" else history.agency_agent
    everything = list(Ticket.objects.all())
    if who == "manager":
        theirs = everything
    else:  # the agency's agent: tickets of Human Services, or of their group
        theirs = [
            t
            for t in everything
            if t.agency_id == org.other_agency.pk
            or t.assignment_group_id == history.agency_group.pk
        ]
    assert 0 < len(theirs) <= len(everything)
    filters = period(history)
    board = dashboard_build(viewer, filters, now=history.now)
    expected = hand_counts(theirs, filters, history.now)
    for name in COUNTED:
        assert shown(board.figures[name]) == +expected[name], name
        for (series, key), value in expected[name].items():
            drilled = drill_down(viewer, filters, name, series, key, now=history.now)
            assert drilled.count() == value, (name, series, key)
            assert {t.pk for t in drilled} <= {t.pk for t in theirs}
    ratings = expected["satisfaction"]
    if ratings.total():
        mean = sum(int(key) * n for (_, key), n in ratings.items()) / ratings.total()
        assert board.average_rating == round(mean, 2)


def test_compliance_by_group_is_met_over_decided(
    history: History, manager: Person, org: Org
) -> None:
    filters = period(history)
    board = dashboard_build(manager, filters, now=history.now)
    figure = board.figures["sla_groups"]
    desk = figure.keys.index(str(org.desk_group.pk))
    in_period = Ticket.objects.filter(
        created_at__gte=filters.since, created_at__lt=filters.until, assignment_group=org.desk_group
    )
    clocks = TicketClock.objects.filter(ticket__in=in_period, metric="response")
    met = sum(1 for c in clocks if c.outcome == "met" and c.breached_at is None)
    breached = sum(1 for c in clocks if c.breached_at or c.outcome == "breached")
    response = next(s for s in figure.series if s.key == "response")
    assert response.values[desk] == round(100 * met / (met + breached), 1)


def test_filters_narrow_to_one_group(history: History, manager: Person, org: Org) -> None:
    filters = period(history)
    narrowed = ReportFilters(filters.start, filters.end, group_id=org.network_group.pk)
    board = dashboard_build(manager, narrowed, now=history.now)
    open_network = Ticket.objects.filter(
        assignment_group=org.network_group, state__in=OPEN_STATES
    ).count()
    assert sum(v or 0 for v in board.figures["backlog"].series[0].values) == open_network


def test_the_agency_agent_sees_no_other_agencys_ticket_in_any_drill_down(
    history: History, org: Org, client: Client
) -> None:
    client.force_login(history.agency_agent)
    page = client.get("/workspace/reports/tickets/", {"figure": "backlog", "series": "open"})
    assert page.status_code == 200
    numbers = set(
        Ticket.objects.filter(agency=org.agency)
        .exclude(assignment_group=history.agency_group)
        .values_list("number", flat=True)
    )
    body = page.content.decode()
    assert not any(f">{number}<" in body for number in numbers)


def test_requesters_get_404(history: History, org: Org, client: Client) -> None:
    client.force_login(org.employee)
    assert client.get("/workspace/reports/").status_code == 404
    assert client.get("/workspace/reports/tickets/?figure=backlog").status_code == 404


# session, user, the unread badge; the configuration's edition (`core.editions`); the figures:
# volume, backlog, SLA (one query for three charts), breaches, outcomes, satisfaction and its
# comments, services, categories, workload. The filter pickers (groups, agencies, services)
# are read once for the edition, then kept.
DASHBOARD_QUERIES = 3 + 1 + 10
PICKERS = 3


def test_the_dashboard_takes_the_same_queries_however_many_tickets(
    org: Org, manager: Person, client: Client, django_assert_num_queries
) -> None:
    client.force_login(manager)
    with django_assert_num_queries(DASHBOARD_QUERIES + PICKERS):
        assert client.get("/workspace/reports/").status_code == 200
    build_history(org, count=30)  # its people and groups are a new configuration edition
    cache.clear()
    with django_assert_num_queries(DASHBOARD_QUERIES + PICKERS):
        page = client.get("/workspace/reports/")
    # Within the minute the figures come from the cache, and the pickers are kept: only the
    # page's own queries remain.
    with django_assert_num_queries(DASHBOARD_QUERIES - 10):
        again = client.get("/workspace/reports/").content.decode()
    table = page.content.decode().split('data-testid="table-backlog"')[1].split("</table>")[0]
    assert table in again
    body = page.content.decode()
    assert 'id="chart-data-volume"' in body and 'data-testid="table-backlog"' in body
    assert "<script>" not in body.replace('<script id="', "")


def _backlog_table(page: str) -> str:
    return page.split('data-testid="table-backlog"')[1].split("</table>")[0]


def test_a_cached_build_is_rendered_once_and_a_new_build_anew(
    org: Org, manager: Person, client: Client
) -> None:
    """The figures of a build kept for the minute are put into words once: the next manager
    to open the dashboard gets the same tables without their rendering; once the build is
    counted again, the tables show the new count."""
    cache.clear()
    build_history(org, count=10)
    client.force_login(manager)
    first = client.get("/workspace/reports/")
    assert "reports/_figure.html" in [t.name for t in first.templates]
    again = client.get("/workspace/reports/")
    assert "reports/_figure.html" not in [t.name for t in again.templates]
    assert _backlog_table(again.content.decode()) == _backlog_table(first.content.decode())
    filters = ReportFilterForm(None).filters()
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="One more")
    cache.delete(scoped_cache_key("dashboard", manager, filters))  # the minute is over
    recounted = client.get("/workspace/reports/")
    assert "reports/_figure.html" in [t.name for t in recounted.templates]
    assert _backlog_table(recounted.content.decode()) != _backlog_table(first.content.decode())


def _counted_at(page: str) -> str:
    return page.split('data-testid="counted-at">')[1].split("</span>")[0]


@pytest.mark.django_db(transaction=True)
def test_a_build_past_its_minute_is_shown_at_once_while_the_next_is_counted_behind_it(
    org: Org, manager: Person, client: Client
) -> None:
    """At a million tickets a build takes seconds: the manager who finds it past its minute gets
    it at once, saying when it was counted, and the next one gets the new count."""
    cache.clear()
    build_history(org, count=10)
    client.force_login(manager)
    first = client.get("/workspace/reports/").content.decode()
    key = scoped_cache_key("dashboard", manager, ReportFilterForm(None).filters())
    built = cache.get(key)
    cache.set(key, replace(built, built_at=built.built_at - timedelta(hours=1)), 600)
    ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="One more")

    shown = client.get("/workspace/reports/").content.decode()
    assert _backlog_table(shown) == _backlog_table(first)
    rebuilds_finish()
    answer = client.get("/workspace/reports/")
    # Rendered behind too, with the build: the request that finds it pays for neither.
    assert "reports/_figures.html" not in [t.name for t in answer.templates]
    recounted = answer.content.decode()
    assert _backlog_table(recounted) != _backlog_table(first)
    assert "Counted at" in _counted_at(shown)
    assert _counted_at(shown) != _counted_at(recounted)


# session, user, the unread badge; the drill-down's count and its page of tickets.
DRILL_QUERIES = 3 + 2


def test_a_drill_down_page_takes_the_same_queries_however_many_tickets(
    org: Org, manager: Person, client: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(manager)
    query = {"figure": "backlog", "series": "open", "key": "over_7"}
    build_history(org, count=20)
    with django_assert_num_queries(DRILL_QUERIES):
        assert client.get("/workspace/reports/tickets/", query).status_code == 200
    Ticket.objects.filter(pk__in=[t.pk for t in Ticket.objects.all()[:5]]).update(
        created_at=timezone.now() - timedelta(days=30), state=TicketState.IN_PROGRESS
    )
    with django_assert_num_queries(DRILL_QUERIES):
        page = client.get("/workspace/reports/tickets/", query)
    assert b'data-testid="drill-tickets"' in page.content
