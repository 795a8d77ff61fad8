"""The forecast page for the planning meeting (a thin adapter; the method is in `forecast`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from servicedesk.reports.filters import ReportFilterForm, report_zone, scoped_tickets
from servicedesk.reports.forecast import VolumeForecast, volume_forecast
from servicedesk.reports.views import scoped_cache_key, staff_viewer

# Fitting takes a moment per channel and the history changes slowly: an hour is fresh enough.
CACHE_SECONDS = 3600


def _charts(result: VolumeForecast) -> tuple[dict[str, Any], dict[str, Any]]:
    labels = [f"{day:%a %b %-d}" for day in result.days]
    total = result.total.projection
    total_chart: dict[str, Any] = {
        "type": "line",
        "labels": labels,
        "stacked": False,
        "unit": "tickets",
        "datasets": [
            {"label": _("Forecast"), "data": total.mean if total else []},
            {"label": _("Low (90% interval)"), "data": total.lower if total else [], "dashed": 1},
            {"label": _("High (90% interval)"), "data": total.upper if total else [], "dashed": 1},
        ],
    }
    channel_chart: dict[str, Any] = {
        "type": "bar",
        "labels": labels,
        "stacked": True,
        "unit": "tickets",
        "datasets": [
            {"label": series.label, "data": series.projection.mean}
            for series in result.channels
            if series.projection
        ],
    }
    return total_chart, channel_chart


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    viewer = staff_viewer(request)
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate(timezone.now(), report_zone())
    key = f"{scoped_cache_key('forecast', viewer, filters)}:{today}"
    result = cache.get(key)
    if not isinstance(result, VolumeForecast):
        result = volume_forecast(scoped_tickets(viewer, filters), today)
        cache.set(key, result, CACHE_SECONDS)
    total_chart, channel_chart = _charts(result)
    return render(
        request,
        "reports/forecast.html",
        {
            "form": form,
            "result": result,
            "total_rows": list(zip(result.days, result.total.rows, strict=False)),
            "channel_rows": [
                (day, [s.projection.mean[i] if s.projection else None for s in result.channels])
                for i, day in enumerate(result.days)
            ],
            "total_chart": total_chart,
            "channel_chart": channel_chart,
        },
    )
