"""The persisted facts of a clock and their JSON-ready form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ._time import from_ts, to_ts
from .calendar import Calendar
from .target import Target
from .thresholds import normalise_thresholds

__all__ = ["FORMAT", "ClockRecord", "ClockState", "Outcome"]

FORMAT = 1


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"


def _iso(ts: int | None) -> str | None:
    return None if ts is None else from_ts(ts).isoformat()


def _ts(value: Any) -> int:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 instant, got {value!r}")
    return _parsed_instant(value)


@lru_cache(maxsize=4)
def _parsed_instant(value: str) -> int:
    # Tiny on purpose: a record often repeats one instant (started, open since, last event),
    # while two records rarely share one.
    return to_ts(datetime.fromisoformat(value))


def _opt_ts(value: Any) -> int | None:
    return None if value is None else _ts(value)


@dataclass(slots=True)
class ClockRecord:
    """Everything a clock must remember; all instants are Unix seconds."""

    target: Target
    started: int
    thresholds: tuple[int, ...]
    budget: int | None
    last: int
    segments: list[tuple[int, int]] = field(default_factory=list)
    open: int | None = None
    hold: bool = False
    stopped: int | None = None
    cancelled: bool = False
    outcome: Outcome | None = None
    version: int = 1
    fired: set[int] = field(default_factory=set)
    breached: int | None = None

    # -- computations on a calendar -------------------------------------------------------------

    def elapsed(self, calendar: Calendar, ts: int) -> int:
        """Business seconds run in [started, ts)."""
        between = calendar.between_ts
        total = 0
        for a, b in self.segments:
            if a >= ts:
                break
            total += between(a, b if b < ts else ts)
        if self.open is not None and self.open < ts:
            total += between(self.open, ts)
        return total

    def closed_elapsed(self, calendar: Calendar) -> int:
        """Business seconds run in the closed segments."""
        between = calendar.between_ts
        return sum(between(a, b) for a, b in self.segments)

    def crossing(self, calendar: Calendar, seconds: int) -> int | None:
        """The earliest instant elapsed reaches ``seconds`` (> 0), projected through an open
        segment; ``None`` when the closed segments fall short and nothing is running."""
        done = 0
        for a, b in self.segments:
            run = calendar.between_ts(a, b)
            if done + run >= seconds:
                return calendar.add_ts(a, seconds - done)
            done += run
        if self.open is not None:
            return calendar.add_ts(self.open, seconds - done)
        return None

    def breach_by(self, calendar: Calendar, ts: int) -> int | None:
        """The instant elapsed reached the budget, if by ``ts`` it went past it (equal is met)."""
        if self.budget is None:
            return None
        over = self.crossing(calendar, self.budget + 1)
        if over is None or over > ts:
            return None
        return self.crossing(calendar, self.budget)

    def record_breach(self, calendar: Calendar, ts: int) -> None:
        """Remember (stickily, keeping the earliest) a breach that happened by ``ts``."""
        crossing = self.breach_by(calendar, ts)
        if crossing is not None:
            self.breached = crossing if self.breached is None else min(self.breached, crossing)

    # -- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "target": self.target.to_dict(),
            "started_at": _iso(self.started),
            "thresholds": list(self.thresholds),
            "segments": [[_iso(a), _iso(b)] for a, b in self.segments],
            "open_since": _iso(self.open),
            "on_hold": self.hold,
            "stopped_at": _iso(self.stopped),
            "cancelled": self.cancelled,
            "outcome": None if self.outcome is None else self.outcome.value,
            "budget": self.budget,
            "target_version": self.version,
            "fired": sorted(self.fired),
            "breached_at": _iso(self.breached),
            "last_event_at": _iso(self.last),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClockRecord:
        if data.get("format") != FORMAT:
            raise ValueError(f"unsupported clock format {data.get('format')!r}")
        budget = data["budget"]
        if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool)):
            raise ValueError(f"budget must be an int or null, got {budget!r}")
        outcome = data["outcome"]
        version = data["target_version"]
        if not isinstance(version, int) or version < 1:
            raise ValueError(f"target_version must be a positive int, got {version!r}")
        record = cls(
            target=Target.from_dict(data["target"]),
            started=_ts(data["started_at"]),
            thresholds=normalise_thresholds(data["thresholds"]),
            budget=budget,
            last=_ts(data["last_event_at"]),
            segments=[(_ts(a), _ts(b)) for a, b in data["segments"]],
            open=_opt_ts(data["open_since"]),
            hold=bool(data["on_hold"]),
            stopped=_opt_ts(data["stopped_at"]),
            cancelled=bool(data["cancelled"]),
            outcome=None if outcome is None else Outcome(outcome),
            version=version,
            fired=set(normalise_thresholds(data["fired"])),
            breached=_opt_ts(data["breached_at"]),
        )
        record.check()
        return record

    def check(self) -> None:
        """Reject records that no sequence of events could produce."""
        previous = self.started
        for a, b in self.segments:
            if not previous <= a < b:
                raise ValueError("clock segments must be ordered, non-empty and after the start")
            previous = b
        if self.open is not None and (self.open < previous or self.stopped is not None):
            raise ValueError("an open segment must follow the closed ones on an active clock")
        if (self.outcome is None) == (self.stopped is not None and not self.cancelled):
            raise ValueError("a clock has an outcome exactly when it is completed")
