"""SLA clocks: running/paused segments replayed on a target and a calendar.

A clock stores only facts: when it started, the segments during which it was running, whether it
is on hold, when it was stopped or cancelled, which thresholds fired and the sticky breach.
Everything else (elapsed, remaining, due, crossings) is computed from them on the current target
and calendar, so a retarget simply replays the same running segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ._time import from_ts, to_ts
from .calendar import Calendar
from .record import ClockRecord, ClockState, Outcome
from .target import Target
from .thresholds import (
    DEFAULT_THRESHOLDS,
    ThresholdCrossing,
    normalise_thresholds,
    threshold_seconds,
)

__all__ = ["Clock", "ClockError", "ClockState", "Outcome"]


class ClockError(ValueError):
    """An event that the clock's state does not allow (or that goes back in time)."""


class Clock:
    """One SLA clock (e.g. a ticket's response or resolution clock).

    Events (``pause``, ``resume``, ``retarget``, ``stop``, ``reopen``, ``cancel``, ``observe``)
    must come in non-decreasing time order. ``pause``/``resume`` are idempotent. While the target
    is ``Target.none()`` the clock's state is ``paused`` (see ``paused_by_target``).
    """

    __slots__ = ("_calendar", "_r")

    def __init__(
        self,
        target: Target,
        calendar: Calendar,
        started_at: datetime,
        thresholds: Iterable[int] = DEFAULT_THRESHOLDS,
        *,
        paused: bool = False,
    ) -> None:
        start = to_ts(started_at, "started_at")
        self._calendar = calendar
        self._r = ClockRecord(
            target=target,
            started=start,
            thresholds=normalise_thresholds(thresholds),
            budget=target.budget_ts(calendar, start),
            last=start,
            hold=paused,
        )
        self._sync(start)

    # -- read-only facts -----------------------------------------------------------------------

    @property
    def target(self) -> Target:
        return self._r.target

    @property
    def calendar(self) -> Calendar:
        return self._calendar

    @property
    def started_at(self) -> datetime:
        return from_ts(self._r.started)

    @property
    def stopped_at(self) -> datetime | None:
        return None if self._r.stopped is None else from_ts(self._r.stopped)

    @property
    def last_event_at(self) -> datetime:
        return from_ts(self._r.last)

    @property
    def budget(self) -> int | None:
        """Business seconds the current target allows (frozen at start for end-of-next-day)."""
        return self._r.budget

    @property
    def thresholds(self) -> tuple[int, ...]:
        return self._r.thresholds

    @property
    def target_version(self) -> int:
        return self._r.version

    @property
    def fired_thresholds(self) -> tuple[int, ...]:
        return tuple(sorted(self._r.fired))

    @property
    def on_hold(self) -> bool:
        """Paused by an event (a status), independently of the target."""
        return self._r.hold

    @property
    def paused_by_target(self) -> bool:
        """Active but paused because the target is ``none`` (no SLA)."""
        return self._active and self._r.budget is None

    @property
    def segments(self) -> tuple[tuple[datetime, datetime | None], ...]:
        """The running segments; the last one is open (end ``None``) while running."""
        out: list[tuple[datetime, datetime | None]] = [
            (from_ts(a), from_ts(b)) for a, b in self._r.segments
        ]
        if self._r.open is not None:
            out.append((from_ts(self._r.open), None))
        return tuple(out)

    @property
    def state(self) -> ClockState:
        if self._r.cancelled:
            return ClockState.CANCELLED
        if self._r.stopped is not None:
            return ClockState.COMPLETED
        return ClockState.RUNNING if self._r.open is not None else ClockState.PAUSED

    @property
    def outcome(self) -> Outcome | None:
        """``met``/``breached``/``not_applicable`` once completed, else ``None``."""
        return self._r.outcome

    @property
    def breached_at(self) -> datetime | None:
        """The sticky breach instant known as of the last event (see :meth:`breached_by`)."""
        return None if self._r.breached is None else from_ts(self._r.breached)

    def planned_ts(self) -> tuple[int | None, int | None, int | None, int | None]:
        """``due_at``, ``breached_at``, ``stopped_at`` and ``next_threshold_at`` as Unix seconds:
        for callers planning many clocks at once, who need no ``datetime`` a clock."""
        return self._due_ts(), self._r.breached, self._r.stopped, self._next_threshold_ts()

    # -- computed values -----------------------------------------------------------------------

    def elapsed(self, at: datetime) -> int:
        """Business seconds the clock has run in [started_at, at)."""
        return self._r.elapsed(self._calendar, to_ts(at, "at"))

    def remaining(self, at: datetime) -> int:
        """Budget minus elapsed at ``at`` (negative once overdue). ``ClockError`` for no SLA."""
        if self._r.budget is None:
            raise ClockError("a clock with no SLA (Target.none()) has no remaining time")
        return self._r.budget - self.elapsed(at)

    @property
    def due_at(self) -> datetime | None:
        """The earliest instant elapsed reaches the budget.

        Running: projected (or past, if already reached). Paused: ``None`` unless already reached.
        Completed: the crossing if reached, else the due in force when it stopped (``None`` if it
        was paused then). No SLA or cancelled before reaching it: ``None``.
        """
        due = self._due_ts()
        return None if due is None else from_ts(due)

    def _due_ts(self) -> int | None:
        if self._r.budget is None:
            return None
        crossing = self._crossing(self._r.budget)
        if crossing is not None:
            return crossing
        stop = self._r.stopped
        # Running when it stopped (not on hold): the due in force then. Not "the last segment
        # ends at the stop": a clock stopped in the second it started or resumed ran for no
        # whole second and so has no segment, yet it was running all the same.
        if stop is not None and not self._r.hold:
            rest = self._r.budget - self._closed_elapsed()
            return self._calendar.add_ts(stop, rest)
        return None

    @property
    def due_position(self) -> int | None:
        """Running clocks only: the due point on the calendar's business-time axis.

        ``remaining(now) == due_position - calendar.position(now)``: one bisect per list row.
        """
        if self._r.open is None or self._r.budget is None:
            return None
        base = self._calendar.position_ts(self._r.open)
        return base + self._r.budget - self._closed_elapsed()

    def breached_by(self, at: datetime) -> datetime | None:
        """The breach instant if elapsed exceeds the budget by ``at`` (pure; records nothing).

        The instant is when elapsed *reached* the budget (the due instant); the breach itself is
        established once elapsed goes past it (stopping exactly at the due instant is met).
        """
        found = self._r.breached
        crossing = self._r.breach_by(self._calendar, to_ts(at, "at"))
        if crossing is not None:
            found = crossing if found is None else min(found, crossing)
        return None if found is None else from_ts(found)

    # -- thresholds ----------------------------------------------------------------------------

    def thresholds_due(self, now: datetime) -> list[ThresholdCrossing]:
        """The threshold to announce at ``now``: at most one, the highest crossed and not fired.

        Empty while the clock is not running (no warning fires while paused) or has no SLA.
        Announce it, then call :meth:`mark_fired`, which also retires lower thresholds, so a late
        sweep or a retarget never produces a burst of stale warnings.
        """
        if self._r.open is None or self._r.budget is None:
            return []
        ts = to_ts(now, "now")
        for percent in reversed(self._r.thresholds):
            if percent in self._r.fired:
                break
            seconds = threshold_seconds(self._r.budget, percent)
            crossing = self._crossing(seconds)
            if crossing is not None and crossing <= ts:
                return [ThresholdCrossing(percent, seconds, from_ts(crossing), self._r.version)]
        return []

    def next_threshold_at(self) -> datetime | None:
        """When the lowest unfired threshold is (or was) crossed; ``None`` unless running."""
        crossing = self._next_threshold_ts()
        return None if crossing is None else from_ts(crossing)

    def _next_threshold_ts(self) -> int | None:
        if self._r.open is None or self._r.budget is None:
            return None
        for percent in self._r.thresholds:
            if percent not in self._r.fired:
                return self._crossing(threshold_seconds(self._r.budget, percent))
        return None

    def mark_fired(self, crossing: ThresholdCrossing) -> bool:
        """Record that ``crossing`` was announced; ``False`` if it belongs to an older target."""
        if crossing.target_version != self._r.version:
            return False
        self._r.fired.update(p for p in self._r.thresholds if p <= crossing.percent)
        return True

    # -- events --------------------------------------------------------------------------------

    def pause(self, at: datetime) -> None:
        ts = self._begin(at, "pause")
        self._r.hold = True
        self._finish(ts)

    def resume(self, at: datetime) -> None:
        ts = self._begin(at, "resume")
        self._r.hold = False
        self._finish(ts)

    def stop(self, at: datetime) -> None:
        """Complete the clock (resolved, responded, categorised, ...) and decide the outcome."""
        ts = self._begin(at, "stop")
        self._r.stopped = ts
        self._sync(ts)
        if self._r.breached is not None:
            self._r.outcome = Outcome.BREACHED
        elif self._r.budget is None:
            self._r.outcome = Outcome.NOT_APPLICABLE
        else:
            met = self._closed_elapsed() <= self._r.budget
            self._r.outcome = Outcome.MET if met else Outcome.BREACHED
        self._r.last = ts

    def cancel(self, at: datetime) -> None:
        ts = self._begin(at, "cancel")
        self._r.cancelled = True
        self._finish(ts)

    def reopen(self, at: datetime) -> None:
        """Run a completed clock again; the span from stop to ``at`` counts as paused."""
        ts = self._check_time(at)
        if self._r.cancelled or self._r.stopped is None:
            raise ClockError(f"cannot reopen a {self.state.value} clock")
        self._r.stopped = None
        self._r.outcome = None
        self._r.hold = False
        self._finish(ts)

    def observe(self, at: datetime) -> None:
        """Advance the clock's notion of now to ``at``, recording a breach that happened by then."""
        ts = self._check_time(at)
        self._record_breach(ts)
        self._r.last = ts

    def retarget(self, at: datetime, target: Target, calendar: Calendar | None = None) -> bool:
        """Replay the running segments on a new target (and calendar); pauses are kept.

        Returns ``False`` (and changes nothing) when target and calendar are unchanged. A new
        target version clears the fired thresholds; all crossed thresholds but the highest are
        retired. If elapsed already exceeds the new budget, the breach is the past crossing.
        """
        ts = self._begin(at, "retarget")
        new_calendar = self._calendar if calendar is None else calendar
        if target == self._r.target and new_calendar == self._calendar:
            self._finish(ts)
            return False
        if self._r.open is not None:
            self._close(ts)
        self._r.target = target
        self._calendar = new_calendar
        self._r.budget = target.budget_ts(new_calendar, self._r.started)
        self._r.version += 1
        self._r.fired = set()
        if self._r.budget is not None:
            elapsed = self._closed_elapsed()
            budget = self._r.budget
            crossed = [p for p in self._r.thresholds if threshold_seconds(budget, p) <= elapsed]
            self._r.fired.update(crossed[:-1])
        self._finish(ts)
        return True

    # -- internals -----------------------------------------------------------------------------

    @property
    def _active(self) -> bool:
        return not self._r.cancelled and self._r.stopped is None

    def _check_time(self, at: datetime) -> int:
        ts = to_ts(at, "at")
        if ts < self._r.last:
            raise ClockError(
                f"event at {from_ts(ts).isoformat()} is before the clock's last event "
                f"at {from_ts(self._r.last).isoformat()}"
            )
        return ts

    def _begin(self, at: datetime, action: str) -> int:
        ts = self._check_time(at)
        if not self._active:
            raise ClockError(f"cannot {action} a {self.state.value} clock")
        self._record_breach(ts)
        return ts

    def _finish(self, ts: int) -> None:
        self._sync(ts)
        self._record_breach(ts)
        self._r.last = ts

    def _close(self, ts: int) -> None:
        start = self._r.open
        self._r.open = None
        if start is not None and ts > start:
            self._r.segments.append((start, ts))

    def _sync(self, ts: int) -> None:
        """Open or close the running segment to match the state at ``ts``."""
        should_run = self._active and not self._r.hold and self._r.budget is not None
        if should_run and self._r.open is None:
            if self._r.segments and self._r.segments[-1][1] == ts:
                self._r.open = self._r.segments.pop()[0]
            else:
                self._r.open = ts
        elif not should_run and self._r.open is not None:
            self._close(ts)

    def _closed_elapsed(self) -> int:
        return self._r.closed_elapsed(self._calendar)

    def _crossing(self, seconds: int) -> int | None:
        return self._r.crossing(self._calendar, seconds)

    def _record_breach(self, ts: int) -> None:
        self._r.record_breach(self._calendar, ts)

    # -- serialisation -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (ISO 8601 instants, ints); rebuild with :meth:`from_dict`."""
        return self._r.to_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], calendar: Calendar) -> Clock:
        """Rebuild a clock saved by :meth:`to_dict` on ``calendar`` (the budget stays as saved)."""
        clock = cls.__new__(cls)
        clock._r = ClockRecord.from_dict(data)
        clock._calendar = calendar
        return clock
