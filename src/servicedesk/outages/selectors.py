"""Reads of the system status: the one-line headline, the status board, one entry.

Status entries are public to every signed-in person, so nothing here is scoped by viewer; the
tickets they link to are shown by number only, and only joined through `outages.deflection`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.core.kept_queries import KeptByShape
from servicedesk.outages.choices import StatusKind
from servicedesk.outages.models import StatusEntry, StatusUpdate

HEADLINE_MAINTENANCE_AHEAD = timedelta(days=7)
BOARD_MAINTENANCE_AHEAD = timedelta(days=30)
BOARD_HISTORY = timedelta(days=14)
# Worst first: the headline's level is that of the first current entry in this order.
SEVERITY_ORDER = {StatusKind.OUTAGE: 0, StatusKind.DEGRADATION: 1, StatusKind.MAINTENANCE: 2}

Level = Literal["normal", "degraded", "outage"]
# Maintenance in progress may make a service unavailable: people should see it as degraded.
LEVEL_OF: dict[str, Level] = {
    StatusKind.OUTAGE: "outage",
    StatusKind.DEGRADATION: "degraded",
    StatusKind.MAINTENANCE: "degraded",
}


def worst_level(entries: list[StatusEntry]) -> Level:
    """The level of the worst entry in force; "normal" when there is none."""
    if not entries:
        return "normal"
    return LEVEL_OF[min(entries, key=lambda e: SEVERITY_ORDER[StatusKind(e.kind)]).kind]


@dataclass(frozen=True)
class Headline:
    """What the portal home says in one line."""

    current: list[StatusEntry]  # worst first
    maintenance_ahead: int  # scheduled to start within HEADLINE_MAINTENANCE_AHEAD


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    entries: list[StatusEntry]


@dataclass(frozen=True)
class StatusBoard:
    current: list[ServiceStatus] = field(default_factory=list)
    upcoming: list[StatusEntry] = field(default_factory=list)
    recent: list[StatusEntry] = field(default_factory=list)

    @property
    def all_normal(self) -> bool:
        return not self.current

    @property
    def level(self) -> Level:
        return worst_level([entry for item in self.current for entry in item.entries])


def _worst_first(entries: list[StatusEntry]) -> list[StatusEntry]:
    return sorted(entries, key=lambda e: (SEVERITY_ORDER[StatusKind(e.kind)], e.starts_at))


def _not_over(now: datetime) -> Q:
    """Unresolved, and not maintenance whose planned window has passed."""
    return Q(resolved_at__isnull=True) & (
        ~Q(kind=StatusKind.MAINTENANCE) | Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def current_entries(now: datetime | None = None) -> QuerySet[StatusEntry]:
    """Entries in force at `now`: started and not over."""
    now = now or timezone.now()
    return (
        StatusEntry.objects.filter(_not_over(now), starts_at__lte=now)
        .select_related("service", "incident", "major_incident")
        .order_by("starts_at", "id")
    )


def _headline_entries(now: datetime) -> QuerySet[StatusEntry]:
    return (
        StatusEntry.objects.filter(_not_over(now), starts_at__lte=now + HEADLINE_MAINTENANCE_AHEAD)
        .select_related("service")
        .order_by("starts_at", "id")
    )


# On every portal home: compiled once, the moment put into it (`core.kept_queries`).
_HEADLINE = KeptByShape(kept=1)


def status_headline(now: datetime | None = None) -> Headline:
    """One query: entries in force, and maintenance starting within the week."""
    now = now or timezone.now()
    entries = list(_HEADLINE.at(now, "headline", _headline_entries))
    current = [entry for entry in entries if entry.starts_at <= now]
    ahead = sum(1 for entry in entries if entry.starts_at > now and entry.is_maintenance)
    return Headline(current=_worst_first(current), maintenance_ahead=ahead)


def _with_updates(entries: QuerySet[StatusEntry]) -> QuerySet[StatusEntry]:
    return entries.select_related("service", "incident", "major_incident").prefetch_related(
        Prefetch("updates", queryset=StatusUpdate.objects.order_by("-at", "-id"))
    )


def status_board(now: datetime | None = None) -> StatusBoard:
    """The status page: what is wrong now per service, planned maintenance, recent history."""
    now = now or timezone.now()
    current = list(_with_updates(current_entries(now)))
    by_service: dict[int, ServiceStatus] = {}
    for entry in _worst_first(current):
        by_service.setdefault(entry.service_id, ServiceStatus(entry.service, [])).entries.append(
            entry
        )
    upcoming = _with_updates(
        StatusEntry.objects.filter(
            kind=StatusKind.MAINTENANCE,
            resolved_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + BOARD_MAINTENANCE_AHEAD,
        ).order_by("starts_at", "id")
    )
    since = now - BOARD_HISTORY
    ended_maintenance = Q(
        kind=StatusKind.MAINTENANCE, resolved_at__isnull=True, ends_at__gt=since, ends_at__lte=now
    )
    recent = _with_updates(
        StatusEntry.objects.filter(
            Q(resolved_at__gt=since, resolved_at__lte=now) | ended_maintenance
        ).order_by("-starts_at", "-id")
    )
    services = sorted(
        by_service.values(), key=lambda s: SEVERITY_ORDER[StatusKind(s.entries[0].kind)]
    )
    return StatusBoard(current=services, upcoming=list(upcoming), recent=list(recent))


def status_entry_get(pk: int) -> StatusEntry:
    """One entry with its updates; raises `StatusEntry.DoesNotExist`."""
    return _with_updates(StatusEntry.objects.all()).get(pk=pk)
