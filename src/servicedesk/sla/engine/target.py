"""SLA targets: how much business time a clock may run before it is due."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from ._time import from_ts, local_naive, to_ts
from .calendar import Calendar

__all__ = ["Target", "TargetKind"]


class TargetKind(StrEnum):
    DURATION = "duration"
    BUSINESS_DAYS = "business_days"
    END_OF_NEXT_BUSINESS_DAY = "end_of_next_business_day"
    NONE = "none"


def _positive_int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Target:
    """An SLA target. Build one with the class-method constructors, not directly.

    * ``duration(seconds)``: business seconds on the clock's calendar (wall time on 24x7);
    * ``business_days(n)``: ``n * calendar.day_length`` business seconds;
    * ``end_of_next_business_day(n=1, cutoff=None)``: due at the close of the n-th business day
      strictly after the start's local date (with ``cutoff``, a start at/after the cutoff or on a
      non-business day counts as received on the next business day); a clock freezes this anchor
      into a business-time budget when it starts;
    * ``none()``: no SLA; a clock on it is paused and has no due instant.
    """

    kind: TargetKind
    seconds: int = 0
    days: int = 0
    cutoff: time | None = None

    @classmethod
    def duration(cls, seconds: int) -> Target:
        return cls(TargetKind.DURATION, seconds=_positive_int(seconds, "seconds"))

    @classmethod
    def business_days(cls, n: int) -> Target:
        return cls(TargetKind.BUSINESS_DAYS, days=_positive_int(n, "business days"))

    @classmethod
    def end_of_next_business_day(cls, n: int = 1, cutoff: time | None = None) -> Target:
        if cutoff is not None:
            if not isinstance(cutoff, time) or cutoff.tzinfo is not None:
                raise ValueError(f"cutoff must be a naive local datetime.time, got {cutoff!r}")
            if cutoff.microsecond:
                raise ValueError("cutoff must be whole seconds")
        return cls(TargetKind.END_OF_NEXT_BUSINESS_DAY, days=_positive_int(n, "n"), cutoff=cutoff)

    @classmethod
    def none(cls) -> Target:
        return cls(TargetKind.NONE)

    @property
    def is_none(self) -> bool:
        return self.kind is TargetKind.NONE

    def __str__(self) -> str:
        if self.kind is TargetKind.DURATION:
            return f"{self.seconds} s"
        if self.kind is TargetKind.BUSINESS_DAYS:
            return f"{self.days} business day{'s' if self.days != 1 else ''}"
        if self.kind is TargetKind.END_OF_NEXT_BUSINESS_DAY:
            text = (
                "end of next business day"
                if self.days == 1
                else f"end of business day +{self.days}"
            )
            return text + (f" (cutoff {self.cutoff.isoformat()})" if self.cutoff else "")
        return "no SLA"

    # -- evaluation ----------------------------------------------------------------------------

    def anchor_ts(self, calendar: Calendar, start_ts: int) -> int:
        """End-of-next-business-day only: the due Unix second for a start at ``start_ts``."""
        if self.kind is not TargetKind.END_OF_NEXT_BUSINESS_DAY:
            raise ValueError(f"{self} has no calendar anchor")
        local = local_naive(start_ts, calendar.zone)
        received = local.date()
        if self.cutoff is not None and (
            local.time() >= self.cutoff or not calendar.is_business_day(received)
        ):
            received = calendar.next_business_day(received)
        day = received
        for _ in range(self.days):
            day = calendar.next_business_day(day)
        return calendar.close_ts(day)

    def budget_ts(self, calendar: Calendar, start_ts: int) -> int | None:
        """Business seconds this target allows for a clock started at ``start_ts``."""
        if self.kind is TargetKind.DURATION:
            return self.seconds
        if self.kind is TargetKind.BUSINESS_DAYS:
            return self.days * calendar.day_length
        if self.kind is TargetKind.END_OF_NEXT_BUSINESS_DAY:
            return calendar.between_ts(start_ts, self.anchor_ts(calendar, start_ts))
        return None

    def budget(self, calendar: Calendar, start: datetime) -> int | None:
        """Business seconds allowed from ``start`` (``None`` for no SLA)."""
        return self.budget_ts(calendar, to_ts(start, "start"))

    def due(self, calendar: Calendar, start: datetime) -> datetime | None:
        """The due instant (UTC) of an unpaused clock started at ``start``; ``None`` for no SLA."""
        start_ts = to_ts(start, "start")
        if self.kind is TargetKind.END_OF_NEXT_BUSINESS_DAY:
            return from_ts(self.anchor_ts(calendar, start_ts))
        budget = self.budget_ts(calendar, start_ts)
        if budget is None:
            return None
        return from_ts(calendar.add_ts(start_ts, budget))

    # -- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is TargetKind.DURATION:
            data["seconds"] = self.seconds
        elif self.kind is TargetKind.BUSINESS_DAYS:
            data["days"] = self.days
        elif self.kind is TargetKind.END_OF_NEXT_BUSINESS_DAY:
            data["days"] = self.days
            data["cutoff"] = self.cutoff.isoformat() if self.cutoff else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        # A chart has a handful of targets and a re-plan reads a million clocks: each kind of
        # target is parsed once (a Target is immutable). Unhashable values are parsed, and
        # refused, the long way.
        values = (data["kind"], data.get("seconds"), data.get("days"), data.get("cutoff"))
        key = (*values, *map(type, values))  # 5 and 5.0 and True are equal keys, not targets
        try:
            return _parsed_target(key, data)
        except TypeError:
            return cls._parse(data)

    @classmethod
    def _parse(cls, data: Mapping[str, Any]) -> Target:
        kind = TargetKind(data["kind"])
        if kind is TargetKind.DURATION:
            return cls.duration(data["seconds"])
        if kind is TargetKind.BUSINESS_DAYS:
            return cls.business_days(data["days"])
        if kind is TargetKind.END_OF_NEXT_BUSINESS_DAY:
            raw = data.get("cutoff")
            cutoff = time.fromisoformat(raw) if raw else None
            return cls.end_of_next_business_day(data.get("days", 1), cutoff)
        return cls.none()


_TARGETS: dict[tuple[Any, ...], Target] = {}


def _parsed_target(key: tuple[Any, ...], data: Mapping[str, Any]) -> Target:
    found = _TARGETS.get(key)
    if found is None:
        found = Target._parse(data)
        if len(_TARGETS) < 1024:  # bounded: records are data
            _TARGETS[key] = found
    return found
