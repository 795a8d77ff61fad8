"""The one-line system status on the portal's home page, from `outages.selectors`.

One query (`status_headline`): the worst entry in force sets the level; the line names up to two
of them with their start time, and counts maintenance planned within the week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from servicedesk.outages.choices import StatusKind
from servicedesk.outages.models import StatusEntry
from servicedesk.outages.selectors import Level, status_headline, worst_level

NAMED_AT_MOST = 2
WORDS_OF = {
    StatusKind.OUTAGE: "outage",
    StatusKind.DEGRADATION: "degraded",
    StatusKind.MAINTENANCE: "maintenance",
}


@dataclass(frozen=True)
class SystemStatus:
    level: Level
    summary: str


def _since(moment: datetime, now: datetime) -> str:
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(now).date():
        return f"{local:%H:%M}"
    return f"{local:%b} {local.day}, {local:%H:%M}"


def _named(entry: StatusEntry, now: datetime) -> str:
    words = WORDS_OF[StatusKind(entry.kind)]
    return f"{entry.service.name}: {words} since {_since(entry.starts_at, now)}"


def current_status(now: datetime | None = None) -> SystemStatus:
    now = now or timezone.now()
    headline = status_headline(now)
    parts = [_named(entry, now) for entry in headline.current[:NAMED_AT_MOST]]
    if len(headline.current) > NAMED_AT_MOST:
        parts.append(f"{len(headline.current) - NAMED_AT_MOST} more")
    if not parts:
        parts.append("All systems normal")
    if headline.maintenance_ahead:
        count = headline.maintenance_ahead
        windows = "maintenance" if count == 1 else "maintenance windows"
        parts.append(f"{count} planned {windows} this week")
    return SystemStatus(level=worst_level(headline.current), summary=" · ".join(parts))
