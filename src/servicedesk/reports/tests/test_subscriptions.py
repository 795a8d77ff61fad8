"""Subscriptions: a saved view or the dashboard by mail at the subscriber's own time, once a
day or week, through a real SMTP sink; an agency's agent reads only that agency's tickets; a
cancelled subscription sends nothing; bad input is refused beside its field."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.test import Client

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import DistributionList
from servicedesk.notifications.delivery import deliver_all_due
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.reports.dashboard import dashboard_build
from servicedesk.reports.errors import ReportError
from servicedesk.reports.models import Frequency, Subscription, SubscriptionSource
from servicedesk.reports.subscription_services import (
    SubscriptionRequest,
    subscription_cancel,
    subscription_create,
    subscriptions_send_due,
)
from servicedesk.reports.subscriptions import dashboard_filters
from servicedesk.reports.tests.known_history import History, build_history
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES
from servicedesk.workspace.models import SavedView

NEW_YORK = ZoneInfo("America/New_York")
NUMBER = re.compile(r"\b(?:INC|REQ|PRB|TASK)\d+\b")
OUTSIDE = "courts-it@justice.example"
# Find the due, lock it, the viewer's groups, the tickets (with group and assignee), queue the
# mail, mark it sent; inside a savepoint. The same for any number of tickets.
QUERIES_PER_SEND = 8


@pytest.fixture
def history(org: Org) -> History:
    history = build_history(org, count=50)
    history.agency_agent.time_zone = "America/New_York"
    history.agency_agent.save(update_fields=["time_zone"])
    return history


@pytest.fixture
def agent_view(history: History) -> SavedView:
    return SavedView.objects.create(
        owner=history.agency_agent, name="Everything open", queue="all-open"
    )


def tomorrow_at(hour: int, minute: int, zone: ZoneInfo = NEW_YORK, days: int = 1) -> datetime:
    day = datetime.now(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def subscribed_at_noon(subscription: Subscription) -> None:
    """Dates the subscription to today's noon in New York: one made earlier than its hour goes
    that same day, so a test run in the early morning would see a send the test does not mean."""
    noon = datetime.combine(datetime.now(NEW_YORK).date(), time(12, 0), tzinfo=NEW_YORK)
    Subscription.objects.filter(pk=subscription.pk).update(created_at=noon)


def daily(view: SavedView | None, at: time = time(8, 0), **more: Any) -> SubscriptionRequest:
    return SubscriptionRequest(
        saved_view_id=None if view is None else view.pk,
        dashboard_params=QueryDict(""),
        frequency=Frequency.DAILY,
        weekday=None,
        send_at=at,
        **more,
    )


def agency_open_numbers(history: History, org: Org) -> set[str]:
    """Counted here from the tickets: the agency's agent sees Human Services' tickets and their
    group's."""
    return {
        t.number
        for t in Ticket.objects.all()
        if t.state in OPEN_STATES
        and (t.agency_id == org.other_agency.pk or t.assignment_group_id == history.agency_group.pk)
    }


def test_a_daily_subscription_goes_once_at_its_local_time_and_never_after_cancel(
    history: History, org: Org, agent_view: SavedView, smtp_server: SmtpServer
) -> None:
    agent = history.agency_agent
    subscription = subscription_create(actor=agent, wanted=daily(agent_view))
    assert subscription.time_zone == "America/New_York"
    subscribed_at_noon(subscription)

    assert subscriptions_send_due(now=tomorrow_at(7, 59)) == 0
    assert subscriptions_send_due(now=tomorrow_at(8, 1)) == 1
    assert subscriptions_send_due(now=tomorrow_at(8, 30)) == 0  # once a day
    assert subscriptions_send_due(now=tomorrow_at(23, 59)) == 0
    deliver_all_due()
    [mail] = smtp_server.to(agent.email)
    assert "Everything open" in str(mail.message["Subject"])

    # The agent of Human Services reads exactly their open tickets, none of another agency's.
    expected = agency_open_numbers(history, org)
    assert expected, "the known history has open tickets of Human Services"
    assert set(NUMBER.findall(mail.text.split("Web version:")[0])) == expected
    assert set(NUMBER.findall(mail.html)) == expected
    others = set(Ticket.objects.exclude(number__in=expected).values_list("number", flat=True))
    assert not others & set(NUMBER.findall(mail.html + mail.text))
    assert f"/workspace/views/{agent_view.pk}/" in mail.text
    assert 'href="http' in mail.html and f"/workspace/views/{agent_view.pk}/" in mail.html
    cancel_link = f"/workspace/reports/subscriptions/{subscription.key}/cancel/"
    assert cancel_link in mail.text and cancel_link in mail.html

    assert subscriptions_send_due(now=tomorrow_at(8, 0, days=2)) == 1  # the next day
    subscription_cancel(subscription, actor=agent)
    assert subscriptions_send_due(now=tomorrow_at(8, 5, days=3)) == 0
    deliver_all_due()
    assert len(smtp_server.to(agent.email)) == 2


def test_weekly_goes_on_its_day_only(history: History, agent_view: SavedView) -> None:
    wednesday = tomorrow_at(9, 0, days=7)
    wednesday -= timedelta(days=(wednesday.weekday() - 2) % 7)
    subscription = subscription_create(
        actor=history.agency_agent,
        wanted=SubscriptionRequest(
            saved_view_id=agent_view.pk,
            dashboard_params=QueryDict(""),
            frequency=Frequency.WEEKLY,
            weekday=2,
            send_at=time(9, 0),
        ),
    )
    subscribed_at_noon(subscription)
    assert subscriptions_send_due(now=wednesday - timedelta(minutes=1)) == 0
    assert subscriptions_send_due(now=wednesday) == 1
    assert subscriptions_send_due(now=wednesday + timedelta(days=6)) == 0  # still that week
    assert subscriptions_send_due(now=wednesday + timedelta(days=7)) == 1


def test_a_dashboard_subscription_shows_the_subscribers_own_figures(
    history: History, org: Org, smtp_server: SmtpServer
) -> None:
    agent = history.agency_agent
    chosen = QueryDict(f"start=2026-01-01&end=2026-01-14&service={org.service.pk}")
    subscription_create(
        actor=agent, wanted=replace(daily(None, at=time(6, 30)), dashboard_params=chosen)
    )
    subscription = Subscription.objects.get()
    assert subscription.source == SubscriptionSource.DASHBOARD
    assert QueryDict(subscription.dashboard_query) == QueryDict(f"days=14&service={org.service.pk}")
    moment = tomorrow_at(6, 31)
    assert subscriptions_send_due(now=moment) == 1
    deliver_all_due()
    [mail] = smtp_server.to(agent.email)
    today = moment.astimezone(ZoneInfo("America/Chicago")).date()
    filters = dashboard_filters(subscription.dashboard_query, today)
    assert (filters.start, filters.end) == (today - timedelta(days=13), today)
    board = dashboard_build(agent, filters, moment)
    backlog = board.figures["backlog"]
    shown = "  ".join(
        f"{label}: {backlog.series[0].values[i]}" for i, label in enumerate(backlog.labels)
    )
    for part in shown.split("  "):
        assert part in mail.text
    assert f"service={org.service.pk}" in mail.text


def test_an_admin_subscribes_a_list_in_its_viewers_scope(
    history: History, org: Org, smtp_server: SmtpServer
) -> None:
    admin = make_person("admin", Role.ADMIN, org.fiber)
    view = SavedView.objects.create(owner=admin, name="Open for courts", queue="all-open")
    mailing = DistributionList.objects.create(name="Courts", outside_addresses=f"{OUTSIDE}\n")
    mailing.members.add(org.desk)
    with pytest.raises(ReportError) as refused:
        subscription_create(actor=org.lead, wanted=daily(None, distribution_list=mailing))
    assert refused.value.field == "distribution_list"
    with pytest.raises(ReportError) as refused:
        subscription_create(actor=admin, wanted=daily(view, distribution_list=mailing))
    assert refused.value.field == "viewer"
    subscription_create(
        actor=admin,
        wanted=daily(view, distribution_list=mailing, viewer=history.agency_agent),
    )
    assert subscriptions_send_due(now=tomorrow_at(8, 0, zone=ZoneInfo("America/Chicago"))) == 2
    deliver_all_due()
    [mail] = smtp_server.to(OUTSIDE)
    assert set(NUMBER.findall(mail.html)) == agency_open_numbers(history, org)
    assert "/workspace/queues/all-open/" in mail.text
    assert len(smtp_server.to(org.desk.email)) == 1


def test_the_send_makes_a_fixed_number_of_queries(
    history: History, agent_view: SavedView, django_assert_num_queries: Any
) -> None:
    subscription_create(actor=history.agency_agent, wanted=daily(agent_view))
    with django_assert_num_queries(QUERIES_PER_SEND):
        assert subscriptions_send_due(now=tomorrow_at(8, 1)) == 1


@pytest.mark.parametrize(
    ("posted", "field", "words"),
    [
        ({"saved_view": "999999"}, "saved_view", "no saved view number 999999"),
        ({"saved_view": "OTHER"}, "saved_view", "someone else"),
        ({"frequency": "weekly"}, "weekday", "day of the week"),
        ({"send_at": "7.30"}, "send_at", "HH:MM"),
        ({"send_at": "25:00"}, "send_at", "HH:MM"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(
    history: History, org: Org, client: Client, posted: dict[str, str], field: str, words: str
) -> None:
    others = SavedView.objects.create(owner=org.lead, name="The lead's", queue="all-open")
    if posted.get("saved_view") == "OTHER":
        posted = {**posted, "saved_view": str(others.pk)}
    client.force_login(history.agency_agent)
    form = {"saved_view": "", "frequency": "daily", "weekday": "", "send_at": "07:30"}
    page = client.post("/workspace/reports/subscriptions/", {**form, **posted})
    assert page.status_code == 400
    body = page.content.decode()
    error = re.search(rf'data-testid="error-{field}">([^<]*)<', body)
    assert error is not None and words in error.group(1).replace("&#x27;", "'")
    assert 'value="' in body and not Subscription.objects.exists()


def test_the_pages_list_subscribe_and_cancel(
    history: History, org: Org, agent_view: SavedView, client: Client
) -> None:
    agent = history.agency_agent
    client.force_login(agent)
    dashboard = client.get("/workspace/reports/", {"service": org.service.pk})
    assert b"/workspace/reports/subscriptions/?dashboard=" in dashboard.content
    view_page = client.get(f"/workspace/views/{agent_view.pk}/")
    link = f"/workspace/reports/subscriptions/?view={agent_view.pk}"
    assert link.encode() in view_page.content
    form = client.get(link)
    assert form.status_code == 200
    assert f'<option value="{agent_view.pk}" selected>Everything open'.encode() in form.content
    made = client.post(
        "/workspace/reports/subscriptions/",
        {"saved_view": agent_view.pk, "frequency": "weekly", "weekday": "4", "send_at": "16:45"},
        follow=True,
    )
    assert made.status_code == 200 and b"Friday, 16:45 (America/New_York)" in made.content
    subscription = Subscription.objects.get()
    cancel = f"/workspace/reports/subscriptions/{subscription.key}/cancel/"

    client.force_login(org.desk)  # someone else's cancel link is a plain 404
    assert client.get(cancel).status_code == 404
    assert client.post(cancel).status_code == 404
    client.force_login(agent)
    assert client.get(cancel).status_code == 200
    assert client.post(cancel, follow=True).status_code == 200
    subscription.refresh_from_db()
    assert subscription.cancelled_at is not None
    assert b"Everything open</td>" not in client.get("/workspace/reports/subscriptions/").content
    client.force_login(org.employee)
    assert client.get("/workspace/reports/subscriptions/").status_code == 404


def test_the_subscriptions_page_makes_a_fixed_number_of_queries(
    history: History, agent_view: SavedView, client: Client, django_assert_num_queries: Any
) -> None:
    for hour in range(3):
        subscription_create(actor=history.agency_agent, wanted=daily(agent_view, at=time(hour)))
    subscription_create(actor=history.agency_agent, wanted=daily(None))
    client.force_login(history.agency_agent)
    # Session, person, the saved views to choose from, the subscriptions (with their view, list
    # and viewer), the unread notifications' badge: as many for one subscription as for forty.
    with django_assert_num_queries(5):
        page = client.get("/workspace/reports/subscriptions/")
    assert page.content.count(b"/cancel/") == 4
