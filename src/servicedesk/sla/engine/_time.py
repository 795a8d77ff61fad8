"""Instant and local-time helpers shared by the engine modules.

Internally every instant is an ``int``: whole seconds since the Unix epoch (UTC). Public methods
accept aware ``datetime`` objects and return aware UTC ``datetime`` objects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "SECONDS_PER_DAY",
    "TimeOfDay",
    "from_ts",
    "local_naive",
    "local_to_ts",
    "parse_time_of_day",
    "to_ts",
]

SECONDS_PER_DAY = 86_400
_UNIX_EPOCH_NAIVE = datetime(1970, 1, 1)
_UNIX_EPOCH_ORDINAL = _UNIX_EPOCH_NAIVE.toordinal()
_ONE_SECOND = timedelta(seconds=1)

TimeOfDay = str | time
"""A local wall-clock time: ``"HH:MM"``, ``"HH:MM:SS"`` or a naive ``datetime.time``."""


def to_ts(value: datetime, name: str = "instant") -> int:
    """Convert an aware datetime to whole Unix seconds, flooring any sub-second part.

    Raises ``ValueError`` for naive datetimes and ``TypeError`` for anything else.
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    tz = value.tzinfo
    if tz is None or (tz is not UTC and value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")
    if value.microsecond:
        value = value.replace(microsecond=0)
    return int(value.timestamp())  # exact: a whole-second aware datetime


def from_ts(ts: int) -> datetime:
    """The aware UTC datetime for Unix seconds ``ts``."""
    return datetime.fromtimestamp(ts, UTC)


def local_naive(ts: int, zone: ZoneInfo) -> datetime:
    """The naive local wall-clock time of instant ``ts`` in ``zone``."""
    return from_ts(ts).astimezone(zone).replace(tzinfo=None)


def parse_time_of_day(value: TimeOfDay, *, allow_24: bool) -> int:
    """Seconds since local midnight for ``"HH:MM[:SS]"`` (or a ``time``); ``"24:00"`` = 86400."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"time of day must be naive local time, got {value!r}")
        if value.microsecond:
            raise ValueError(f"time of day must be whole seconds, got {value!r}")
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise TypeError(f"time of day must be 'HH:MM' or datetime.time, not {type(value).__name__}")
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"time of day must look like 'HH:MM' or 'HH:MM:SS', got {value!r}")
    hh, mm = int(parts[0]), int(parts[1])
    ss = int(parts[2]) if len(parts) == 3 else 0
    if mm > 59 or ss > 59:
        raise ValueError(f"invalid time of day {value!r}")
    seconds = hh * 3600 + mm * 60 + ss
    if seconds == SECONDS_PER_DAY and allow_24:
        return seconds
    if hh > 23:
        hint = " ('24:00' is only allowed as an interval end)" if seconds == SECONDS_PER_DAY else ""
        raise ValueError(f"invalid time of day {value!r}{hint}")
    return seconds


def local_to_ts(day: date, seconds: int, zone: ZoneInfo, *, earliest: bool) -> int:
    """The instant of local wall time ``day`` + ``seconds`` in ``zone``.

    * a time in a spring-forward gap maps to the first instant after the gap;
    * an ambiguous time in a fall-back fold maps to its earliest occurrence when ``earliest``
      (interval starts) and to its latest occurrence otherwise (interval ends).
    """
    wall = (day.toordinal() - _UNIX_EPOCH_ORDINAL) * SECONDS_PER_DAY + seconds
    naive = _UNIX_EPOCH_NAIVE + timedelta(seconds=wall)
    off0 = zone.utcoffset(naive)
    off1 = zone.utcoffset(naive.replace(fold=1))
    assert off0 is not None and off1 is not None  # a ZoneInfo always answers
    ts0 = wall - off0 // _ONE_SECOND
    if off0 == off1:
        return ts0
    ts1 = wall - off1 // _ONE_SECOND
    valid0 = local_naive(ts0, zone) == naive
    valid1 = local_naive(ts1, zone) == naive
    if valid0 and valid1:  # fold: two occurrences
        return min(ts0, ts1) if earliest else max(ts0, ts1)
    if valid0 or valid1:  # pragma: no cover - zoneinfo gives both or neither
        return ts0 if valid0 else ts1
    # Gap: find the first instant whose local time is later than ``naive``.
    lo, hi = min(ts0, ts1), max(ts0, ts1)
    while lo < hi:
        mid = (lo + hi) // 2
        if local_naive(mid, zone) > naive:
            hi = mid
        else:
            lo = mid + 1
    return lo
