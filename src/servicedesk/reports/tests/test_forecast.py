"""The volume forecast, tested on generated history with a known weekly pattern."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.test import Client
from django.utils import timezone

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Agency
from servicedesk.reports.filters import report_zone
from servicedesk.reports.forecast import (
    HISTORY_DAYS,
    HORIZON,
    backtest_mape,
    project,
    volume_forecast,
)
from servicedesk.tickets.access import visible_tickets
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.models import Ticket

# Tickets a weekday and a weekend day bring, per channel (Monday first).
WEEK = {
    Channel.EMAIL: [30, 28, 27, 26, 22, 5, 4],
    Channel.PHONE: [18, 16, 15, 15, 12, 2, 1],
    Channel.VOICEMAIL: [8, 5, 5, 4, 4, 3, 3],
}


def generated(days: int, weekly: list[int], seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    start = date(2026, 1, 5)  # a Monday
    return [float(rng.poisson(weekly[(start + timedelta(days=n)).weekday()])) for n in range(days)]


def test_the_forecast_keeps_the_week_and_its_interval_brackets_it() -> None:
    history = generated(HISTORY_DAYS, WEEK[Channel.EMAIL], seed=1)  # ends on a Sunday
    projection = project(history)
    assert projection is not None and len(projection.mean) == HORIZON
    monday, saturday = projection.mean[0], projection.mean[5]
    assert monday > 3 * saturday
    for low, mean, high in zip(projection.lower, projection.mean, projection.upper, strict=True):
        assert 0 <= low <= mean <= high


def test_the_interval_holds_most_of_what_really_came() -> None:
    inside = total = 0
    for seed in range(12):
        series = generated(HISTORY_DAYS + HORIZON, WEEK[Channel.PHONE], seed=seed)
        projection = project(series[:HISTORY_DAYS], seed=seed)
        assert projection is not None
        for real, low, high in zip(
            series[HISTORY_DAYS:], projection.lower, projection.upper, strict=True
        ):
            inside += low <= real <= high
            total += 1
    assert inside / total >= 0.8  # a 90% interval, give or take the luck of 168 days


def test_the_back_test_error_is_small_for_a_steady_week_and_zero_for_a_perfect_one() -> None:
    steady = backtest_mape(generated(HISTORY_DAYS, WEEK[Channel.EMAIL], seed=3))
    assert steady is not None and steady < 30
    perfect = backtest_mape([float(v) for v in WEEK[Channel.EMAIL] * 12])
    assert perfect is not None and perfect < 1
    assert backtest_mape([1.0] * 20) is None  # under six weeks: no back-test
    assert project([0.0] * 30) is None and project([3.0] * 10) is None


def file_generated_history(org: Org, today: date) -> None:
    """Twelve weeks of tickets: half from each agency, at the pattern's rates."""
    zone = report_zone()
    first = today - timedelta(days=HISTORY_DAYS)
    rows: list[Ticket] = []
    for channel, weekly in WEEK.items():
        for offset, count in enumerate(generated(HISTORY_DAYS, weekly, seed=len(rows))):
            day = first + timedelta(days=offset)
            at = datetime.combine(day, time(10), tzinfo=zone)
            for n in range(int(count)):
                rows.append(
                    Ticket(
                        number=f"GEN{len(rows):06d}",
                        kind=TicketKind.INCIDENT,
                        short_description="Generated",
                        requester=org.employee,
                        requested_by=org.employee,
                        channel=channel,
                        agency=org.agency if n % 2 else org.other_agency,
                        created_at=at,
                        updated_at=at,
                    )
                )
    Ticket.objects.bulk_create(rows, batch_size=500)


def test_the_forecast_page_for_a_manager_and_for_an_agent_of_one_agency(
    org: Org, client: Client
) -> None:
    today = timezone.localdate(timezone.now(), report_zone())
    file_generated_history(org, today)
    manager = make_person("manager", Role.MANAGER, org.fiber)
    result = volume_forecast(visible_tickets(manager), today)
    assert [s.key for s in result.channels] == [c.value for c in WEEK]
    assert result.total.projection is not None and result.total.mape is not None
    assert result.total.mape < 30
    assert result.total.history_total == Ticket.objects.count()

    client.force_login(manager)
    page = client.get("/workspace/reports/forecast/")
    assert page.status_code == 200
    assert b'data-testid="table-forecast"' in page.content and b"Back-test error" in page.content

    agent = make_person("dhsagent", Role.AGENT, org.fiber)
    group = org.desk_group.__class__.objects.create(name="DHS desk", tier="l1")
    group.agencies.add(Agency.objects.get(pk=org.other_agency.pk))
    group.members.add(agent)
    theirs = volume_forecast(visible_tickets(agent), today)
    assert theirs.total.history_total == Ticket.objects.filter(agency=org.other_agency).count()
    assert theirs.total.history_total < result.total.history_total
