"""The system status page: what is wrong now per service, planned maintenance, recent history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from servicedesk.outages.selectors import (
    BOARD_HISTORY,
    BOARD_MAINTENANCE_AHEAD,
    status_board,
)


@login_required
@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/status.html",
        {
            "board": status_board(),
            "ahead_days": BOARD_MAINTENANCE_AHEAD.days,
            "history_days": BOARD_HISTORY.days,
        },
    )
