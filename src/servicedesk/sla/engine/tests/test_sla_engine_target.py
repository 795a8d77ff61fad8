"""Targets: kinds, end-of-next-business-day with cutoffs, budgets and serialisation."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from servicedesk.sla.engine import Calendar, Target, TargetKind
from servicedesk.sla.engine.tests.sla_engine_support import (
    ALWAYS,
    DIST,
    HOUR,
    US_OK_HOLIDAYS,
    WEEKDAYS_7_TO_17,
    chi,
)

EONBD = Target.end_of_next_business_day()


def test_duration_and_business_days_budgets() -> None:
    start = chi(2025, 6, 9, 10)
    assert Target.duration(900).budget(DIST, start) == 900
    assert Target.business_days(3).budget(DIST, start) == 30 * HOUR
    assert Target.business_days(1).budget(ALWAYS, start) == 24 * HOUR
    half_days = Calendar(tz="UTC", weekly=WEEKDAYS_7_TO_17, day_length=5 * HOUR)
    assert Target.business_days(2).budget(half_days, start) == 10 * HOUR
    assert Target.none().budget(DIST, start) is None
    assert Target.none().due(DIST, start) is None


def test_business_days_are_never_24_hour_blocks() -> None:
    # 1 business day from Tue 15:00 is Wed 15:00 on DIST, not Wed 15:00 + 14 h of wall time.
    assert Target.business_days(1).due(DIST, chi(2025, 6, 10, 15)) == chi(2025, 6, 11, 15)
    assert Target.business_days(2).due(DIST, chi(2025, 6, 13, 7)) == chi(2025, 6, 16, 17)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (chi(2025, 6, 9, 5), chi(2025, 6, 10, 17)),  # before opening: still Monday's
        (chi(2025, 6, 9, 16, 59), chi(2025, 6, 10, 17)),
        (chi(2025, 6, 9, 18), chi(2025, 6, 10, 17)),  # after close: still received Monday
        (chi(2025, 6, 18, 10), chi(2025, 6, 20, 17)),  # Thursday is Juneteenth
        (chi(2025, 6, 19, 10), chi(2025, 6, 20, 17)),  # on the holiday itself
        (chi(2025, 11, 26, 10), chi(2025, 12, 1, 17)),  # Thanksgiving + day after
    ],
)
def test_end_of_next_business_day_without_cutoff(start: object, expected: object) -> None:
    assert EONBD.due(DIST, start) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (chi(2025, 6, 9, 14, 59), chi(2025, 6, 10, 17)),  # before the cutoff
        (chi(2025, 6, 9, 15, 0), chi(2025, 6, 11, 17)),  # at the cutoff: received Tuesday
        (chi(2025, 6, 9, 16), chi(2025, 6, 11, 17)),
        (chi(2025, 6, 14, 10), chi(2025, 6, 17, 17)),  # Saturday: received Monday
        (chi(2025, 6, 13, 15, 30), chi(2025, 6, 17, 17)),  # Friday late: received Monday
    ],
)
def test_end_of_next_business_day_with_cutoff(start: object, expected: object) -> None:
    target = Target.end_of_next_business_day(cutoff=time(15, 0))
    assert target.due(DIST, start) == expected  # type: ignore[arg-type]


def test_end_of_n_business_days_and_close_from_calendar() -> None:
    assert Target.end_of_next_business_day(2).due(DIST, chi(2025, 6, 9, 10)) == chi(2025, 6, 11, 17)
    early_close = Calendar(
        tz="America/Chicago",
        weekly=WEEKDAYS_7_TO_17,
        closures=US_OK_HOLIDAYS,
        partial={date(2025, 12, 24): [("07:00", "12:00")]},
    )
    # The close of the next business day comes from the calendar, not a fixed 17:00.
    assert EONBD.due(early_close, chi(2025, 12, 23, 9)) == chi(2025, 12, 24, 12)
    evening = Calendar(tz="America/Chicago", weekly={d: [("12:00", "20:30")] for d in range(5)})
    assert EONBD.due(evening, chi(2025, 6, 9, 10)) == chi(2025, 6, 10, 20, 30)


def test_eonbd_budget_is_business_time_to_the_anchor() -> None:
    assert EONBD.budget(DIST, chi(2025, 6, 9, 10)) == 17 * HOUR
    assert EONBD.budget(DIST, chi(2025, 6, 14, 10)) == 10 * HOUR  # Saturday -> Monday close
    assert EONBD.due(ALWAYS, chi(2025, 6, 9, 10)).isoformat() == "2025-06-11T00:00:00+00:00"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "target",
    [
        Target.duration(900),
        Target.business_days(5),
        Target.end_of_next_business_day(),
        Target.end_of_next_business_day(2, cutoff=time(15, 30)),
        Target.none(),
    ],
    ids=str,
)
def test_target_round_trips_through_json(target: Target) -> None:
    assert Target.from_dict(json.loads(json.dumps(target.to_dict()))) == target


@pytest.mark.parametrize(
    "build",
    [
        lambda: Target.duration(0),
        lambda: Target.duration(-5),
        lambda: Target.duration(1.5),  # type: ignore[arg-type]
        lambda: Target.duration(True),
        lambda: Target.business_days(0),
        lambda: Target.end_of_next_business_day(0),
    ],
)
def test_invalid_targets_are_rejected(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


def test_kinds_and_labels() -> None:
    assert Target.none().is_none and not Target.duration(1).is_none
    assert Target.business_days(3).kind is TargetKind.BUSINESS_DAYS
    assert str(Target.business_days(1)) == "1 business day"
    assert str(Target.end_of_next_business_day(cutoff=time(15))) == (
        "end of next business day (cutoff 15:00:00)"
    )
    with pytest.raises(ValueError, match="no calendar anchor"):
        Target.duration(5).anchor_ts(DIST, 0)
