"""Warning thresholds (percent of a clock's budget) and the crossings a clock reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["DEFAULT_THRESHOLDS", "ThresholdCrossing", "normalise_thresholds", "threshold_seconds"]

DEFAULT_THRESHOLDS: tuple[int, ...] = (50, 75, 100)


def normalise_thresholds(values: Iterable[int]) -> tuple[int, ...]:
    """Sorted, de-duplicated positive integer percents."""
    given = tuple(values)
    # Clocks share a few threshold lists: each is checked once (a million-clock re-plan reads
    # two a clock). Anything but ints (True and 1.0 are equal keys to 1) is checked, and
    # refused, the long way.
    if not all(type(value) is int for value in given):
        return _normalise(given)
    found = _NORMALISED.get(given)
    if found is None:
        found = _normalise(given)
        if len(_NORMALISED) < 1024:  # bounded: records are data
            _NORMALISED[given] = found
    return found


_NORMALISED: dict[tuple[int, ...], tuple[int, ...]] = {}


def _normalise(values: tuple[int, ...]) -> tuple[int, ...]:
    out: set[int] = set()
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"thresholds are positive integer percents, got {value!r}")
        out.add(value)
    return tuple(sorted(out))


def threshold_seconds(budget: int, percent: int) -> int:
    """Elapsed seconds at which ``percent`` of ``budget`` is reached: ceil(budget * percent / 100).

    Integer arithmetic only, so 100 % is exactly the budget (no rounding surprises).
    """
    return -(-budget * percent // 100)


@dataclass(frozen=True, slots=True)
class ThresholdCrossing:
    """A threshold that a clock's elapsed business time reached.

    ``at`` is the computed instant elapsed reached ``seconds`` (not the moment it was noticed);
    ``target_version`` identifies the target the crossing belongs to (see ``Clock.mark_fired``).
    """

    percent: int
    seconds: int
    at: datetime
    target_version: int
