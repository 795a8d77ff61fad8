"""Ticket volume for the planning meeting: the next 14 days per channel, with a prediction
interval, and how well the same method would have done over the last 4 weeks.

Method: Holt-Winters exponential smoothing with an additive weekly season (statsmodels), fitted
on the last 12 weeks of daily counts (today, still under way, is left out). The interval comes
from simulating 500 futures from the fitted model with its own errors: the 5th and 95th
percentiles of each day make a 90% interval. The back-test refits on the history without its
last 28 days, forecasts those days and reports the mean absolute percentage error over the
days that had any tickets (a percentage of zero tickets means nothing).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from servicedesk.reports.filters import day_start, report_zone
from servicedesk.tickets.choices import Channel
from servicedesk.tickets.models import Ticket

HISTORY_DAYS = 84
HORIZON = 14
BACKTEST_DAYS = 28
SEASON = 7
LEVEL = 0.90
SIMULATIONS = 500
# Holt-Winters with a weekly season needs two whole weeks to start from.
MIN_HISTORY = 2 * SEASON
TOTAL = "total"


@dataclass(frozen=True)
class Projection:
    mean: list[float]
    lower: list[float]
    upper: list[float]


@dataclass(frozen=True)
class SeriesForecast:
    key: str
    label: str
    history_total: int
    projection: Projection | None
    mape: float | None

    @property
    def rows(self) -> list[tuple[float, float, float]]:
        if self.projection is None:
            return []
        p = self.projection
        return list(zip(p.mean, p.lower, p.upper, strict=True))


@dataclass(frozen=True)
class VolumeForecast:
    first_history_day: date
    days: list[date]
    total: SeriesForecast
    channels: list[SeriesForecast]


def daily_counts(tickets: QuerySet[Ticket], first: date, last: date) -> dict[str, list[int]]:
    """Tickets filed per day from `first` to `last` (both included), per channel and in all."""
    rows = (
        tickets.filter(
            created_at__gte=day_start(first), created_at__lt=day_start(last + timedelta(days=1))
        )
        .annotate(day=TruncDate("created_at", tzinfo=report_zone()))
        .values("day", "channel")
        .annotate(count=Count("pk"))
        .order_by()
    )
    length = (last - first).days + 1
    counts: dict[str, list[int]] = {TOTAL: [0] * length}
    for row in rows:
        index = (row["day"] - first).days
        counts.setdefault(row["channel"], [0] * length)[index] += row["count"]
        counts[TOTAL][index] += row["count"]
    return counts


def _fit(values: Sequence[float]) -> Any:
    # Imported on first use: pandas and statsmodels take seconds to load, which every process
    # (web workers, tests) would otherwise pay at start-up for a page few open.
    import pandas as pd
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    series = pd.Series(
        np.asarray(values, dtype=float),
        index=pd.date_range("2000-01-03", periods=len(values), freq="D"),
    )
    model = ExponentialSmoothing(
        series,
        trend=None,
        seasonal="add",
        seasonal_periods=SEASON,
        initialization_method="estimated",
    )
    return model.fit()


def project(values: Sequence[float], horizon: int = HORIZON, seed: int = 7) -> Projection | None:
    """Mean and interval for the next `horizon` days; None when there is too little to go on."""
    if len(values) < MIN_HISTORY or not any(values):
        return None
    with warnings.catch_warnings():
        # Convergence notes from the optimiser are about precision we do not need here.
        warnings.simplefilter("ignore")
        try:
            fitted = _fit(values)
            mean = np.asarray(fitted.forecast(horizon), dtype=float)
            futures = np.asarray(
                fitted.simulate(horizon, repetitions=SIMULATIONS, error="add", random_state=seed),
                dtype=float,
            )
        except (ValueError, np.linalg.LinAlgError):
            return None
    tail = (1 - LEVEL) / 2 * 100
    lower, upper = np.percentile(futures, [tail, 100 - tail], axis=1)
    return Projection(mean=_counts(mean), lower=_counts(lower), upper=_counts(upper))


def _counts(values: Iterable[float]) -> list[float]:
    """Rounded, and never below zero: a day cannot have fewer than no tickets."""
    return [round(max(float(value), 0.0), 1) for value in values]


def backtest_mape(values: Sequence[float], days: int = BACKTEST_DAYS) -> float | None:
    """Mean absolute percentage error of forecasting the last `days` from what came before."""
    if len(values) < days + MIN_HISTORY:
        return None
    past, actual = values[:-days], values[-days:]
    projection = project(past, horizon=days)
    if projection is None:
        return None
    errors = [
        abs(forecast - real) / real
        for forecast, real in zip(projection.mean, actual, strict=True)
        if real > 0
    ]
    return round(100 * sum(errors) / len(errors), 1) if errors else None


def _series(key: str, label: str, values: list[int]) -> SeriesForecast:
    return SeriesForecast(
        key=key,
        label=label,
        history_total=sum(values),
        projection=project(values),
        mape=backtest_mape(values),
    )


def volume_forecast(tickets: QuerySet[Ticket], today: date) -> VolumeForecast:
    """The forecast from the history of `tickets` (already scoped by the access policy)."""
    last = today - timedelta(days=1)
    first = last - timedelta(days=HISTORY_DAYS - 1)
    counts = daily_counts(tickets, first, last)
    channels = [
        _series(channel.value, str(channel.label), counts[channel.value])
        for channel in Channel
        if channel.value in counts
    ]
    return VolumeForecast(
        first_history_day=first,
        days=[today + timedelta(days=n) for n in range(HORIZON)],
        total=_series(TOTAL, "", counts[TOTAL]),
        channels=channels,
    )
