"""Pure-Python SLA engine: business calendars, targets and clocks (see README.md and docs/sla.md).

This package imports nothing from Django or from the rest of the project.
"""

from .calendar import POSITION_EPOCH_YEAR, Calendar
from .clock import Clock, ClockError, ClockState, Outcome
from .target import Target, TargetKind
from .thresholds import DEFAULT_THRESHOLDS, ThresholdCrossing

__all__ = [
    "DEFAULT_THRESHOLDS",
    "POSITION_EPOCH_YEAR",
    "Calendar",
    "Clock",
    "ClockError",
    "ClockState",
    "Outcome",
    "Target",
    "TargetKind",
    "ThresholdCrossing",
]
