"""The business-time axis of a calendar: materialised intervals and one-bisect lookups.

Every instant is a Unix second. A *position* is the number of business seconds from the axis
epoch to an instant (negative before it): B(t). The materialised form is, per working interval
``i``, its UTC ``starts[i]``/``ends[i]``, ``offs[i]`` with ``B(t) = t + offs[i]`` inside it, and
``pos_ends[i] = B(ends[i])``. Both directions are one bisect:

* ``B(t)``: ``i = bisect_right(starts, t) - 1``; ``B = min(t, ends[i]) + offs[i]``;
* earliest ``u`` with ``B(u) = p``: ``j = bisect_left(pos_ends, p)``; ``u = p - offs[j]``.

The horizon grows lazily by whole local years, forwards and backwards; the 24x7 axis needs none.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["MAX_YEAR", "MIN_YEAR", "Axis", "Horizon", "IntervalAxis", "WallAxis"]

MIN_YEAR = 1900
MAX_YEAR = 2400

YearIntervals = Callable[[int], tuple[list[int], list[int]]]
"""Sorted, non-overlapping UTC (starts, ends) of one local year."""
YearStart = Callable[[int], int]
"""The Unix second at which a local year begins."""


class Axis(Protocol):
    def position(self, ts: int) -> int: ...

    def instant_at(self, position: int) -> int: ...

    def add(self, ts: int, seconds: int) -> int: ...

    def add_many(self, starts: Sequence[int], seconds: Sequence[int]) -> list[int]: ...


def _out_of_range() -> ValueError:
    return ValueError(f"instant outside the supported years {MIN_YEAR}-{MAX_YEAR - 1}")


class WallAxis:
    """The 24x7 axis: business time is wall time."""

    __slots__ = ("_epoch",)

    def __init__(self, epoch: int) -> None:
        self._epoch = epoch

    def position(self, ts: int) -> int:
        return ts - self._epoch

    def instant_at(self, position: int) -> int:
        return position + self._epoch

    def add(self, ts: int, seconds: int) -> int:
        return ts + seconds

    def add_many(self, starts: Sequence[int], seconds: Sequence[int]) -> list[int]:
        return [s + d for s, d in zip(starts, seconds, strict=True)]


@dataclass(frozen=True, slots=True)
class Horizon:
    """An immutable snapshot of the materialised years [lo_year, hi_year)."""

    lo_year: int
    hi_year: int
    lo_ts: int
    hi_ts: int
    lo_pos: int
    hi_pos: int
    starts: list[int]
    ends: list[int]
    offs: list[int]  # B(t) = t + offs[i] inside interval i
    pos_ends: list[int]  # B(ends[i])


class IntervalAxis:
    """A working-interval axis materialised lazily by local year around ``epoch_year``.

    Growth builds a new :class:`Horizon` and swaps it in under a lock; readers take one snapshot
    per call, so a calendar may be shared between threads.
    """

    __slots__ = ("_h", "_lock", "_max_ts", "_min_ts", "_year_intervals", "_year_start")

    def __init__(self, epoch_year: int, year_intervals: YearIntervals, year_start: YearStart):
        self._year_intervals = year_intervals
        self._year_start = year_start
        self._min_ts = year_start(MIN_YEAR)
        self._max_ts = year_start(MAX_YEAR)
        self._lock = threading.Lock()
        start = year_start(epoch_year)
        empty = Horizon(epoch_year, epoch_year, start, start, 0, 0, [], [], [], [])
        self._h = self._forward(empty)

    # -- growth --------------------------------------------------------------------------------

    def _forward(self, h: Horizon) -> Horizon:
        year = h.hi_year
        if year >= MAX_YEAR:
            raise _out_of_range()
        starts, ends = self._year_intervals(year)
        offs: list[int] = []
        pos_ends: list[int] = []
        pos = h.hi_pos
        for s, e in zip(starts, ends, strict=True):
            offs.append(pos - s)
            pos += e - s
            pos_ends.append(pos)
        return Horizon(
            h.lo_year,
            year + 1,
            h.lo_ts,
            self._year_start(year + 1),
            h.lo_pos,
            pos,
            h.starts + starts,
            h.ends + ends,
            h.offs + offs,
            h.pos_ends + pos_ends,
        )

    def _backward(self, h: Horizon) -> Horizon:
        year = h.lo_year - 1
        if year < MIN_YEAR:
            raise _out_of_range()
        starts, ends = self._year_intervals(year)
        lo_pos = h.lo_pos - sum(e - s for s, e in zip(starts, ends, strict=True))
        offs: list[int] = []
        pos_ends: list[int] = []
        pos = lo_pos
        for s, e in zip(starts, ends, strict=True):
            offs.append(pos - s)
            pos += e - s
            pos_ends.append(pos)
        return Horizon(
            year,
            h.hi_year,
            self._year_start(year),
            h.hi_ts,
            lo_pos,
            h.hi_pos,
            starts + h.starts,
            ends + h.ends,
            offs + h.offs,
            pos_ends + h.pos_ends,
        )

    def cover(
        self,
        lo_ts: int | None = None,
        hi_ts: int | None = None,
        lo_pos: int | None = None,
        hi_pos: int | None = None,
    ) -> Horizon:
        """A horizon in which an interval starts at or before ``lo_ts``, ``hi_ts`` is inside and
        every position in [lo_pos, hi_pos] has its earliest instant inside."""
        for ts in (lo_ts, hi_ts):
            if ts is not None and not self._min_ts <= ts < self._max_ts:
                raise _out_of_range()
        with self._lock:
            h = self._h
            while lo_ts is not None and (lo_ts < h.lo_ts or not h.starts or h.starts[0] > lo_ts):
                h = self._backward(h)
            while hi_ts is not None and hi_ts >= h.hi_ts:
                h = self._forward(h)
            while lo_pos is not None and lo_pos <= h.lo_pos:
                h = self._backward(h)
            while hi_pos is not None and hi_pos > h.hi_pos:
                h = self._forward(h)
            self._h = h
        return h

    # -- lookups -------------------------------------------------------------------------------

    def position(self, ts: int) -> int:
        h = self._h
        if not h.lo_ts <= ts < h.hi_ts:
            h = self.cover(lo_ts=ts, hi_ts=ts)
        i = bisect_right(h.starts, ts) - 1
        if i < 0:
            return h.lo_pos
        end = h.ends[i]
        return (ts if ts < end else end) + h.offs[i]

    def instant_at(self, position: int) -> int:
        h = self._h
        if not h.lo_pos < position <= h.hi_pos:
            h = self.cover(lo_pos=position, hi_pos=position)
        return position - h.offs[bisect_left(h.pos_ends, position)]

    def add(self, ts: int, seconds: int) -> int:
        """The earliest u >= ts with B(u) - B(ts) == seconds (> 0)."""
        p = self.position(ts) + seconds
        h = self._h
        if not (h.lo_ts <= ts < h.hi_ts and h.lo_pos < p <= h.hi_pos):
            h = self.cover(lo_ts=ts, hi_ts=ts, lo_pos=p, hi_pos=p)
        i = bisect_right(h.starts, ts) - 1
        if i >= 0 and ts < h.ends[i] and p <= h.pos_ends[i]:
            return p - h.offs[i]  # due inside the interval holding ts
        return p - h.offs[bisect_left(h.pos_ends, p)]

    def add_many(self, starts: Sequence[int], seconds: Sequence[int]) -> list[int]:
        """For each pair, the earliest u >= start with B(u) - B(start) == seconds (>= 0)."""
        if not starts:
            return []
        first, last = min(starts), max(starts)
        self.cover(lo_ts=first, hi_ts=last)
        top = self.position(last) + max(seconds)
        h = self.cover(first, last, self.position(first) + 1, top)
        st, en, offs, pe = h.starts, h.ends, h.offs, h.pos_ends
        br, bl = bisect_right, bisect_left
        out: list[int] = []
        append = out.append
        for ts, d in zip(starts, seconds, strict=True):
            i = br(st, ts) - 1
            if ts < en[i]:  # inside interval i
                p = ts + offs[i] + d
            elif d:  # in the gap after interval i: counting resumes at interval i + 1
                p = pe[i] + d
                i += 1
            else:
                append(ts)
                continue
            if p <= pe[i]:  # due inside the same interval: no second bisect
                append(p - offs[i])
            else:
                append(p - offs[bl(pe, p, i)])
        return out
