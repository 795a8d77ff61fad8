"""The 21 worked examples of docs/sla.md, one parametrised case each (DIST = Mon-Fri 07:00-17:00
America/Chicago with US + Oklahoma holidays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from servicedesk.sla.engine import Clock, Outcome, Target
from servicedesk.sla.engine.tests.sla_engine_support import ALWAYS, DIST, HOUR, MINUTE, chi, utc

Result = object


def ex01() -> Result:
    return ALWAYS.add(chi(2025, 6, 10, 9), 15 * MINUTE)


def ex02() -> Result:
    start = utc(2025, 11, 2, 6, 50)
    # 01:50 CDT, the first 01:50 of the fall-back day (ambiguous wall times never compare equal
    # across zones, so compare in UTC).
    assert chi(2025, 11, 2, 1, 50).astimezone(UTC) == start
    return ALWAYS.add(start, 15 * MINUTE)


def ex03() -> Result:
    return Target.duration(24 * HOUR).due(ALWAYS, chi(2025, 3, 8, 10))


def ex04() -> Result:
    return DIST.add(chi(2025, 6, 10, 15), 4 * HOUR)


def ex05() -> Result:
    return DIST.add(chi(2025, 6, 13, 15, 30), 4 * HOUR)


def ex06() -> Result:
    return DIST.add(chi(2025, 6, 10, 5, 45), 4 * HOUR)


def ex07() -> Result:
    return DIST.add(chi(2025, 6, 14, 11), 4 * HOUR)


def ex08() -> Result:
    return DIST.add(chi(2025, 6, 18, 14), 8 * HOUR)


def ex09() -> Result:
    return Target.business_days(1).due(DIST, chi(2025, 11, 26, 16))


def ex10() -> Result:
    return DIST.add(chi(2025, 6, 9, 7), 10 * HOUR)


def ex11() -> Result:
    return Target.end_of_next_business_day().due(DIST, chi(2025, 6, 9, 10))


def ex12() -> Result:
    return Target.end_of_next_business_day().due(DIST, chi(2025, 6, 13, 15, 30))


def ex13() -> Result:
    return Target.end_of_next_business_day().due(DIST, chi(2025, 6, 14, 10))


def ex14() -> Result:
    clock = Clock(Target.end_of_next_business_day(), DIST, chi(2025, 6, 9, 10))
    clock.pause(chi(2025, 6, 9, 12))
    clock.resume(chi(2025, 6, 9, 14))
    return clock.budget, clock.due_at


def ex15() -> Result:
    clock = Clock(Target.duration(4 * HOUR), ALWAYS, chi(2025, 6, 10, 9))
    clock.pause(chi(2025, 6, 10, 10))
    clock.resume(chi(2025, 6, 10, 10, 45))
    return clock.due_at


def ex16() -> Result:
    created = chi(2025, 6, 13, 16, 55)
    respond = Clock(Target.duration(10 * MINUTE), DIST, created)
    resolve = Clock(Target.duration(20 * MINUTE), DIST, created)
    return respond.due_at, resolve.due_at


def ex17() -> Result:
    clock = Clock(Target.duration(2 * HOUR), DIST, chi(2025, 6, 9, 16, 15))
    due_before = clock.due_at
    categorised = chi(2025, 6, 10, 8)
    clock.stop(categorised)
    return due_before, clock.due_at, clock.outcome, clock.elapsed(categorised)


def ex18() -> Result:
    return Target.business_days(4).due(DIST, chi(2025, 11, 26, 10))


def ex19() -> Result:
    clock = Clock(Target.duration(8 * HOUR), DIST, chi(2025, 6, 9, 13), thresholds=(50, 75, 100))
    fired: list[tuple[int, datetime]] = []
    sweep = chi(2025, 6, 9, 13)
    while sweep <= chi(2025, 6, 10, 12):  # a sweep every minute
        for crossing in clock.thresholds_due(sweep):
            assert crossing.at == sweep  # noticed the very minute it happened
            fired.append((crossing.percent, crossing.at))
            clock.mark_fired(crossing)
        sweep += timedelta(minutes=1)
    return fired, clock.due_at


def ex20() -> Result:
    clock = Clock(Target.duration(4 * HOUR), DIST, chi(2025, 6, 13, 15, 30))
    asked = chi(2025, 6, 14, 12)
    return clock.elapsed(asked), clock.remaining(asked)


def ex21() -> Result:
    clock = Clock(Target.business_days(3), DIST, chi(2025, 6, 9, 8))
    clock.retarget(chi(2025, 6, 9, 10), Target.duration(8 * HOUR), DIST)
    return clock.due_at


CASES: list[tuple[str, Callable[[], Result], Result]] = [
    ("01-24x7-15min", ex01, chi(2025, 6, 10, 9, 15)),
    ("02-24x7-fall-back", ex02, utc(2025, 11, 2, 7, 5)),
    ("03-24x7-24h-across-spring-forward", ex03, chi(2025, 3, 9, 11)),
    ("04-4bh-overnight", ex04, chi(2025, 6, 11, 9)),
    ("05-4bh-over-weekend", ex05, chi(2025, 6, 16, 9, 30)),
    ("06-4bh-before-opening", ex06, chi(2025, 6, 10, 11)),
    ("07-4bh-from-saturday", ex07, chi(2025, 6, 16, 11)),
    ("08-8bh-over-juneteenth", ex08, chi(2025, 6, 20, 12)),
    ("09-1-business-day-over-thanksgiving", ex09, chi(2025, 12, 1, 16)),
    ("10-10bh-earliest-instant", ex10, chi(2025, 6, 9, 17)),
    ("11-eonbd-monday", ex11, chi(2025, 6, 10, 17)),
    ("12-eonbd-friday", ex12, chi(2025, 6, 16, 17)),
    ("13-eonbd-saturday", ex13, chi(2025, 6, 16, 17)),
    ("14-eonbd-budget-with-pause", ex14, (17 * HOUR, chi(2025, 6, 11, 9))),
    ("15-24x7-4h-with-pause", ex15, chi(2025, 6, 10, 13, 45)),
    ("16-respond-and-resolve", ex16, (chi(2025, 6, 16, 7, 5), chi(2025, 6, 16, 7, 15))),
    (
        "17-categorize-met",
        ex17,
        (chi(2025, 6, 10, 8, 15), chi(2025, 6, 10, 8, 15), Outcome.MET, 105 * MINUTE),
    ),
    ("18-4-business-days-over-thanksgiving", ex18, chi(2025, 12, 4, 10)),
    (
        "19-thresholds-50-75-100",
        ex19,
        (
            [(50, chi(2025, 6, 9, 17)), (75, chi(2025, 6, 10, 9)), (100, chi(2025, 6, 10, 11))],
            chi(2025, 6, 10, 11),
        ),
    ),
    ("20-asked-on-saturday", ex20, (90 * MINUTE, 150 * MINUTE)),
    ("21-retarget-3bd-to-8bh", ex21, chi(2025, 6, 9, 16)),
]


@pytest.mark.parametrize(
    ("case", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_worked_example(case: Callable[[], Result], expected: Result) -> None:
    assert case() == expected


@pytest.mark.parametrize("case", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_worked_example_instants_are_utc(case: Callable[[], Result]) -> None:
    def instants(value: object) -> list[datetime]:
        if isinstance(value, datetime):
            return [value]
        if isinstance(value, tuple | list):
            return [d for item in value for d in instants(item)]
        return []

    found = instants(case())
    for instant in found:
        assert instant.tzinfo is UTC
        assert instant.microsecond == 0
