"""Who is on call now: a support group's weekly rotation, with overrides.

The rotation week starts at the rota's handover time on the weekday of `starts_on`, in the
rota's own time zone (so a handover at 09:00 stays at 09:00 across daylight saving). Week n
(counted from `starts_on`) belongs to slot n modulo the number of slots. An override covering
the moment wins; of several, the latest created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import (
    OnCallOverride,
    OnCallRota,
    OnCallSlot,
    Person,
    SupportGroup,
)


@dataclass(frozen=True)
class OnCall:
    group: SupportGroup
    person: Person | None
    until: datetime | None
    is_override: bool
    meeting_time: time | None


def rotation_index(
    starts_on: date, handover: time, zone: ZoneInfo, at: datetime, slots: int
) -> int:
    """Which slot holds the week containing `at` (pure arithmetic, tested on its own)."""
    local = at.astimezone(zone)
    first = datetime.combine(starts_on, handover, tzinfo=zone)
    weeks = (local.replace(tzinfo=None) - first.replace(tzinfo=None)) // timedelta(weeks=1)
    return int(weeks) % slots


def _week_end(rota: OnCallRota, zone: ZoneInfo, at: datetime) -> datetime:
    local = at.astimezone(zone).replace(tzinfo=None)
    first = datetime.combine(rota.starts_on, rota.handover_time)
    weeks = (local - first) // timedelta(weeks=1)
    return (first + timedelta(weeks=int(weeks) + 1)).replace(tzinfo=zone)


def on_call_for(rota: OnCallRota, at: datetime) -> OnCall:
    """Uses the rota's prefetched `slots` and `overrides` when the caller prefetched them."""
    zone = ZoneInfo(rota.time_zone)
    overrides = [o for o in rota.overrides.all() if o.starts_at <= at < o.ends_at]
    if overrides:
        chosen = max(overrides, key=lambda o: o.pk)
        return OnCall(rota.group, chosen.person, chosen.ends_at, True, rota.meeting_time)
    slots = list(rota.slots.all())
    if not slots:
        return OnCall(rota.group, None, None, False, rota.meeting_time)
    index = rotation_index(rota.starts_on, rota.handover_time, zone, at, len(slots))
    return OnCall(
        rota.group, slots[index].person, _week_end(rota, zone, at), False, rota.meeting_time
    )


def on_call_now(group: SupportGroup, at: datetime | None = None) -> OnCall | None:
    """The group's on-call person now; None when the group has no rota."""
    rota = OnCallRota.objects.filter(group=group).first()
    if rota is None:
        return None
    return on_call_for(rota, at or timezone.now())


def _active_rotas() -> QuerySet[OnCallRota]:
    return (
        OnCallRota.objects.filter(group__is_active=True)
        .select_related("group")
        .prefetch_related(
            Prefetch("slots", queryset=OnCallSlot.objects.select_related("person")),
            Prefetch("overrides", queryset=OnCallOverride.objects.select_related("person")),
        )
        .order_by("group__name")
    )


_ACTIVE_ROTAS = KeptQuery(_active_rotas)  # on every workspace home: compiled once


def on_call_board(at: datetime | None = None) -> list[OnCall]:
    """Every rota's person on call now, by group name (the workspace and the API show it)."""
    at = at or timezone.now()
    return [on_call_for(rota, at) for rota in _ACTIVE_ROTAS()]
