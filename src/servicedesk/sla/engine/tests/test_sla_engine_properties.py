"""Property-based tests (hypothesis): add/between are inverse, monotone, DST-exact against a
minute-by-minute oracle, paused time never counts, retarget equals replay, persistence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.sla.engine import Calendar, Clock, Target
from servicedesk.sla.engine.tests.sla_engine_support import (
    ALWAYS,
    DIST,
    HOUR,
    US_OK_HOLIDAYS,
    WEEKDAYS_7_TO_17,
)

PROPS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FEW = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

LONDON_OFFICE = Calendar(
    tz="Europe/London",
    weekly={d: [("09:00", "12:30"), ("13:30", "17:30")] for d in range(5)},
    closures={date(2025, 12, 25), date(2025, 12, 26)},
    partial={date(2025, 12, 24): [("09:00", "12:00")]},
)
CHICAGO_NIGHTS = Calendar(tz="America/Chicago", weekly={d: [("00:00", "04:00")] for d in range(7)})
SHIFTS = Calendar(
    tz="America/Chicago",
    weekly={
        0: [("22:00", "24:00")],
        1: [("00:00", "06:00"), ("22:00", "24:00")],
        2: [("00:00", "06:00")],
        5: [("10:00", "10:05")],
    },
)
CALENDARS = [DIST, ALWAYS, LONDON_OFFICE, CHICAGO_NIGHTS, SHIFTS]

LO = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
HI = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
# DST changes of 2025: Chicago spring/fall, London spring/fall.
TRANSITIONS = [
    int(datetime(2025, 3, 9, 8, tzinfo=UTC).timestamp()),
    int(datetime(2025, 11, 2, 7, tzinfo=UTC).timestamp()),
    int(datetime(2025, 3, 30, 1, tzinfo=UTC).timestamp()),
    int(datetime(2025, 10, 26, 1, tzinfo=UTC).timestamp()),
]


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


instants = st.one_of(
    st.integers(LO, HI),
    st.builds(
        lambda base, delta: base + delta,
        st.sampled_from(TRANSITIONS),
        st.integers(-3 * 86_400, 3 * 86_400),
    ),
)
calendars = st.sampled_from(CALENDARS)
durations = st.one_of(st.integers(0, 3 * HOUR), st.integers(0, 60 * 86_400))


@st.composite
def closure_calendars(draw: st.DrawFn) -> Calendar:
    days = draw(st.sets(st.dates(date(2025, 1, 1), date(2025, 12, 31)), max_size=60))
    half = draw(st.sets(st.dates(date(2025, 1, 1), date(2025, 12, 31)), max_size=10)) - days
    return Calendar(
        tz="America/Chicago",
        weekly=WEEKDAYS_7_TO_17,
        closures=days | US_OK_HOLIDAYS,
        partial={d: [("07:00", "12:00")] for d in half - US_OK_HOLIDAYS},
    )


# -- add and between ---------------------------------------------------------------------------


@PROPS
@given(cal=calendars, start=instants, seconds=durations)
def test_add_is_the_earliest_inverse_of_between(cal: Calendar, start: int, seconds: int) -> None:
    due = cal.add(at(start), seconds)
    assert due >= at(start)
    assert cal.between(at(start), due) == seconds
    if seconds:
        assert cal.between(at(start), due - timedelta(seconds=1)) == seconds - 1
    else:
        assert due == at(start)


@PROPS
@given(cal=calendars, a=instants, b=instants)
def test_between_then_add_returns_no_later_than_the_end(cal: Calendar, a: int, b: int) -> None:
    a, b = min(a, b), max(a, b)
    span = cal.between(at(a), at(b))
    back = cal.add(at(a), span)
    assert back <= at(b)
    assert cal.between(at(a), back) == span
    assert cal.between(back, at(b)) == 0


@PROPS
@given(cal=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_between_is_monotone_additive_and_bounded_by_wall_time(
    cal: Calendar, points: list[int]
) -> None:
    a, b, c = sorted(points)
    ab, bc, ac = (cal.between(at(x), at(y)) for x, y in ((a, b), (b, c), (a, c)))
    assert 0 <= ab <= ac
    assert ac == ab + bc
    assert ab <= b - a
    assert cal.between(at(c), at(a)) == -ac


@PROPS
@given(cal=calendars, t=instants)
def test_position_and_instant_at_round_trip(cal: Calendar, t: int) -> None:
    p = cal.position(at(t))
    earliest = cal.instant_at(p)
    assert earliest <= at(t)
    assert cal.position(earliest) == p
    assert cal.between(earliest, at(t)) == 0


@FEW
@given(cal=closure_calendars(), start=instants, seconds=durations)
def test_closures_never_count_and_inverse_holds(cal: Calendar, start: int, seconds: int) -> None:
    due = cal.add(at(start), seconds)
    assert cal.between(at(start), due) == seconds
    for day in (due.astimezone(cal.zone).date(), at(start).astimezone(cal.zone).date()):
        if day in US_OK_HOLIDAYS:
            assert cal.day_intervals(day) == []


@FEW
@given(
    cal=calendars,
    pairs=st.lists(st.tuples(st.integers(LO, HI), durations), min_size=1, max_size=30),
)
def test_add_many_matches_add(cal: Calendar, pairs: list[tuple[int, int]]) -> None:
    starts = [s for s, _ in pairs]
    budgets = [d for _, d in pairs]
    expected = [int(cal.add(at(s), d).timestamp()) for s, d in pairs]
    assert cal.add_many(starts, budgets) == expected


# -- DST against an independent oracle ---------------------------------------------------------

# Boundaries avoid 01:xx, the fall-back fold in both zones, where docs/sla.md's rule (a fold end
# maps to its latest occurrence) deliberately differs from "instants whose wall time is in the
# window".
HOURS = [0, 2, 3, 4, 5, 7, 9, 12, 17, 20, 22, 24]


@st.composite
def dst_calendars(draw: st.DrawFn) -> Calendar:
    tz = draw(st.sampled_from(["America/Chicago", "Europe/London"]))
    weekly: dict[int, list[tuple[str, str]]] = {}
    for weekday in range(7):
        picks = sorted(draw(st.sets(st.sampled_from(HOURS), max_size=4)))
        spans = [
            (f"{s:02d}:00", f"{e:02d}:00") for s, e in zip(picks[::2], picks[1::2], strict=False)
        ]
        if spans:
            weekly[weekday] = spans
    if not weekly:
        weekly[6] = [("00:00", "04:00")]
    return Calendar(tz=tz, weekly=weekly)


def oracle_between(cal: Calendar, a: int, b: int) -> int:
    """Count working minutes in [a, b) by asking, minute by minute, for the local wall time."""
    zone = ZoneInfo(cal.tz)
    total = 0
    for ts in range(a, b, 60):
        local = datetime.fromtimestamp(ts, zone)
        seconds = local.hour * 3600 + local.minute * 60
        for start, end in _spans(cal, local.date()):
            if start <= seconds < end:
                total += 60
                break
    return total


def _spans(cal: Calendar, day: date) -> Sequence[tuple[int, int]]:
    return cal._spans_of(day)  # the calendar's own parsed local spans (no UTC conversion)


@FEW
@given(
    cal=dst_calendars(),
    base=st.sampled_from(TRANSITIONS),
    offsets=st.tuples(st.integers(-36 * 60, 36 * 60), st.integers(0, 48 * 60)),
)
def test_dst_days_match_a_minute_by_minute_oracle(
    cal: Calendar, base: int, offsets: tuple[int, int]
) -> None:
    a = base - base % 60 + offsets[0] * 60
    b = a + offsets[1] * 60
    assert cal.between(at(a), at(b)) == oracle_between(cal, a, b)


# -- clocks ------------------------------------------------------------------------------------

toggles = st.lists(st.integers(1, 3 * 86_400), min_size=0, max_size=8)


def run_events(clock: Clock, start: int, gaps: list[int]) -> list[tuple[int, int]]:
    """Alternate pause/resume after each gap; return the paused spans (open ones end at +inf)."""
    paused: list[tuple[int, int]] = []
    now = start
    for index, gap in enumerate(gaps):
        now += gap
        if index % 2 == 0:
            clock.pause(at(now))
            assert clock.thresholds_due(at(now + 1)) == []  # no warning while paused
            assert clock.next_threshold_at() is None
            paused.append((now, 2**62))
        else:
            clock.resume(at(now))
            paused[-1] = (paused[-1][0], now)
    return paused


@PROPS
@given(cal=calendars, start=st.integers(LO, HI), gaps=toggles, probe=st.integers(0, 10 * 86_400))
def test_paused_time_never_counts(cal: Calendar, start: int, gaps: list[int], probe: int) -> None:
    clock = Clock(Target.duration(10**7), cal, at(start))
    paused = run_events(clock, start, gaps)
    end = start + sum(gaps) + probe
    expected = cal.between(at(start), at(end)) - sum(
        cal.between(at(p), at(min(r, end))) for p, r in paused if p < end
    )
    assert clock.elapsed(at(end)) == expected
    for p, r in paused:
        if r < 2**62:
            assert clock.elapsed(at(p)) == clock.elapsed(at(r))


@PROPS
@given(
    cal=calendars,
    start=st.integers(LO, HI),
    gaps=toggles,
    budget=st.integers(1, 40 * HOUR),
    new_budget=st.integers(1, 40 * HOUR),
    delay=st.integers(0, 5 * 86_400),
)
def test_retarget_equals_replay_and_due_is_exact(
    cal: Calendar, start: int, gaps: list[int], budget: int, new_budget: int, delay: int
) -> None:
    clock = Clock(Target.duration(budget), cal, at(start))
    run_events(clock, start, gaps)
    when = start + sum(gaps) + delay
    old_breach = clock.breached_by(at(when))
    clock.retarget(at(when), Target.duration(new_budget), DIST)
    fresh = Clock(Target.duration(new_budget), DIST, at(start))
    run_events(fresh, start, gaps)
    probe = at(when + 3600)
    assert clock.elapsed(probe) == fresh.elapsed(probe)
    assert clock.due_at == fresh.due_at
    if clock.due_at is not None:
        assert clock.elapsed(clock.due_at) == new_budget
        assert clock.elapsed(clock.due_at - timedelta(seconds=1)) == new_budget - 1
    elapsed_now = clock.elapsed(at(when))
    # Sticky: a breach under the old target survives; a new one is the past crossing instant.
    assert (clock.breached_at is not None) == (old_breach is not None or elapsed_now > new_budget)
    if old_breach is not None:
        assert clock.breached_at is not None and clock.breached_at <= old_breach
    elif elapsed_now > new_budget:
        assert clock.breached_at == clock.due_at
    due = clock.thresholds_due(at(when))
    assert len(due) <= 1  # never a burst
    if clock.state == "running" and elapsed_now * 100 >= new_budget * 50:
        assert due and due[0].seconds <= elapsed_now


@FEW
@given(cal=calendars, start=st.integers(LO, HI), gaps=toggles, stop=st.booleans())
def test_clock_persistence_round_trip(
    cal: Calendar, start: int, gaps: list[int], stop: bool
) -> None:
    clock = Clock(Target.end_of_next_business_day(), cal, at(start))
    run_events(clock, start, gaps)
    if stop:
        clock.stop(at(start + sum(gaps) + 60))
    again = Clock.from_dict(clock.to_dict(), cal)
    assert again.to_dict() == clock.to_dict()
    probe = at(start + sum(gaps) + 86_400)
    assert again.elapsed(probe) == clock.elapsed(probe)
    assert (again.state, again.outcome, again.due_at) == (clock.state, clock.outcome, clock.due_at)
