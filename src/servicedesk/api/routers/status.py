"""`/status`: the system status page's content, for dashboards and chat bots (read-only)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from servicedesk.api.errors import ERRORS
from servicedesk.api.params import reject_unknown_parameters
from servicedesk.api.schemas.status import SystemStatusOut
from servicedesk.outages.selectors import status_board

router = Router(tags=["status"])


@router.get("/status", response={200: SystemStatusOut, **ERRORS})
def system_status(request: HttpRequest) -> dict[str, object]:
    """Outages, degradations and maintenance in force per service, worst first, and the
    maintenance planned for the next 30 days. The same for every signed-in caller."""
    reject_unknown_parameters(request, ())
    board = status_board()
    return {
        "level": board.level,
        "current": [{"service": item.service, "entries": item.entries} for item in board.current],
        "upcoming_maintenance": board.upcoming,
    }
