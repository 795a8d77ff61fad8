"""Clocks: states, pauses, outcomes, sticky breach, retarget, reopen, thresholds, persistence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from servicedesk.sla.engine import (
    Calendar,
    Clock,
    ClockError,
    ClockState,
    Outcome,
    Target,
    ThresholdCrossing,
)
from servicedesk.sla.engine.tests.sla_engine_support import ALWAYS, DIST, HOUR, MINUTE, chi

FOUR_HOURS = Target.duration(4 * HOUR)
MON_9 = chi(2025, 6, 9, 9)


def state_of(clock: Clock) -> ClockState:
    """Read the state through a call, so that type checkers do not narrow it across events."""
    return clock.state


def sweep(clock: Clock, start: datetime, end: datetime, step: timedelta) -> list[ThresholdCrossing]:
    """Run a warning sweep every ``step``; return what it announced."""
    announced: list[ThresholdCrossing] = []
    now = start
    while now <= end:
        for crossing in clock.thresholds_due(now):
            announced.append(crossing)
            assert clock.mark_fired(crossing)
        now += step
    return announced


# -- states ------------------------------------------------------------------------------------


def test_new_clock_runs_and_projects_due() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    assert clock.state is ClockState.RUNNING
    assert clock.state.value == "running" and isinstance(clock.state, str)
    assert clock.outcome is None and clock.breached_at is None
    assert clock.due_at == chi(2025, 6, 9, 13)
    assert clock.elapsed(chi(2025, 6, 9, 10)) == HOUR
    assert clock.elapsed(chi(2025, 6, 9, 8)) == 0
    assert clock.remaining(chi(2025, 6, 9, 10)) == 3 * HOUR


def test_clock_can_start_paused() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9, paused=True)
    assert clock.state is ClockState.PAUSED and clock.on_hold
    assert clock.due_at is None
    assert clock.elapsed(chi(2025, 6, 9, 12)) == 0
    clock.resume(chi(2025, 6, 9, 11))
    assert clock.due_at == chi(2025, 6, 9, 15)


def test_pause_and_resume_are_idempotent_and_paused_time_does_not_count() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.pause(chi(2025, 6, 9, 10))
    clock.pause(chi(2025, 6, 9, 10, 30))  # awaiting customer -> awaiting vendor
    assert clock.state is ClockState.PAUSED
    assert clock.elapsed(chi(2025, 6, 9, 16)) == HOUR
    clock.resume(chi(2025, 6, 9, 11))
    clock.resume(chi(2025, 6, 9, 11, 30))
    assert clock.elapsed(chi(2025, 6, 9, 12)) == 2 * HOUR
    assert clock.due_at == chi(2025, 6, 9, 14)
    assert [end for _, end in clock.segments] == [chi(2025, 6, 9, 10), None]


def test_events_must_not_go_back_in_time() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.pause(chi(2025, 6, 9, 10))
    with pytest.raises(ClockError, match="before the clock's last event"):
        clock.resume(chi(2025, 6, 9, 9, 30))
    with pytest.raises(ValueError, match="naive"):
        clock.resume(datetime(2025, 6, 9, 11))


@pytest.mark.parametrize(
    ("stop_at", "outcome"),
    [
        (chi(2025, 6, 9, 13) - timedelta(seconds=1), Outcome.MET),
        (chi(2025, 6, 9, 13), Outcome.MET),  # equal is met
        (chi(2025, 6, 9, 13) + timedelta(seconds=1), Outcome.BREACHED),
    ],
    ids=["before", "exactly-at-target", "one-second-late"],
)
def test_met_is_elapsed_at_most_target_in_whole_seconds(
    stop_at: datetime, outcome: Outcome
) -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.stop(stop_at)
    assert clock.state is ClockState.COMPLETED
    assert clock.outcome is outcome
    assert (clock.breached_at is not None) is (outcome is Outcome.BREACHED)


def test_breach_is_when_elapsed_reached_target_not_when_noticed() -> None:
    clock = Clock(FOUR_HOURS, DIST, chi(2025, 6, 13, 15, 30))
    assert clock.breached_by(chi(2025, 6, 16, 9, 29)) is None
    assert clock.breached_by(chi(2025, 6, 16, 9, 30)) is None  # reached, not exceeded
    assert clock.breached_by(chi(2025, 6, 16, 9, 30, 1)) == chi(2025, 6, 16, 9, 30)
    assert clock.breached_by(chi(2025, 6, 20, 12)) == chi(2025, 6, 16, 9, 30)
    assert clock.breached_at is None  # breached_by is pure
    clock.observe(chi(2025, 6, 18, 8))  # the sweep noticed two days late
    assert clock.breached_at == chi(2025, 6, 16, 9, 30)
    clock.stop(chi(2025, 6, 18, 9))
    assert clock.outcome is Outcome.BREACHED
    assert clock.breached_at == chi(2025, 6, 16, 9, 30)
    assert clock.remaining(chi(2025, 6, 18, 9)) == 4 * HOUR - (90 * MINUTE + 22 * HOUR)


def test_breach_is_sticky_across_pause_reopen_and_looser_retarget() -> None:
    clock = Clock(Target.duration(HOUR), DIST, MON_9)
    clock.pause(chi(2025, 6, 9, 11))
    assert clock.breached_at == chi(2025, 6, 9, 10)
    clock.retarget(chi(2025, 6, 9, 12), Target.business_days(3))
    assert clock.breached_at == chi(2025, 6, 9, 10)
    clock.resume(chi(2025, 6, 9, 13))
    clock.stop(chi(2025, 6, 9, 14))
    assert clock.outcome is Outcome.BREACHED  # an earlier breach is never erased
    clock.reopen(chi(2025, 6, 10, 9))
    assert clock.breached_at == chi(2025, 6, 9, 10)


def test_retarget_breaches_retroactively_and_reports_only_highest_threshold() -> None:
    clock = Clock(Target.business_days(3), DIST, chi(2025, 6, 9, 8))
    late = chi(2025, 6, 10, 10)  # 12 business hours elapsed
    assert clock.thresholds_due(late) == []
    assert clock.retarget(late, Target.duration(8 * HOUR), DIST)
    assert clock.target_version == 2
    assert clock.breached_at == chi(2025, 6, 9, 16)  # the past instant it crossed
    assert clock.due_at == chi(2025, 6, 9, 16)
    announced = clock.thresholds_due(late)
    assert [(c.percent, c.at, c.target_version) for c in announced] == [
        (100, chi(2025, 6, 9, 16), 2)
    ]
    assert clock.fired_thresholds == (50, 75)  # retired without a burst
    clock.mark_fired(announced[0])
    assert clock.thresholds_due(chi(2025, 6, 11, 10)) == []


def test_retarget_keeps_pauses_and_switches_calendar() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.pause(chi(2025, 6, 9, 10))
    clock.resume(chi(2025, 6, 9, 12))
    clock.retarget(chi(2025, 6, 9, 13), Target.duration(6 * HOUR), ALWAYS)
    # Replayed on 24x7: 1 h + 1 h run so far, 4 h to go from 13:00.
    assert clock.elapsed(chi(2025, 6, 9, 13)) == 2 * HOUR
    assert clock.due_at == chi(2025, 6, 9, 17)
    assert clock.calendar == ALWAYS
    # The retarget did not split the running segment.
    assert clock.segments == ((MON_9, chi(2025, 6, 9, 10)), (chi(2025, 6, 9, 12), None))


def test_retarget_to_same_target_changes_nothing() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    fired = sweep(clock, MON_9, chi(2025, 6, 9, 11, 30), timedelta(minutes=15))
    assert [c.percent for c in fired] == [50]
    same = Calendar(tz=DIST.tz, weekly={d: [("07:00", "17:00")] for d in range(5)})
    assert not clock.retarget(chi(2025, 6, 9, 12), Target.duration(4 * HOUR), DIST)
    assert clock.target_version == 1 and clock.fired_thresholds == (50,)
    assert clock.retarget(chi(2025, 6, 9, 12), Target.duration(4 * HOUR), same)  # holidays gone
    assert clock.target_version == 2


def test_no_sla_target_pauses_the_clock() -> None:
    clock = Clock(Target.none(), DIST, MON_9)
    assert clock.state is ClockState.PAUSED and clock.paused_by_target and not clock.on_hold
    assert clock.due_at is None and clock.due_position is None
    assert clock.thresholds_due(chi(2025, 6, 20)) == []
    with pytest.raises(ClockError, match="no remaining"):
        clock.remaining(chi(2025, 6, 9, 10))
    clock.resume(chi(2025, 6, 9, 10))  # a status change does not start a clock with no SLA
    assert clock.state is ClockState.PAUSED
    clock.retarget(chi(2025, 6, 9, 11), FOUR_HOURS)  # category with an SLA chosen
    assert state_of(clock) is ClockState.RUNNING
    assert clock.due_at == chi(2025, 6, 9, 15)  # the time without an SLA never counted
    clock.retarget(chi(2025, 6, 9, 12), Target.none())
    assert state_of(clock) is ClockState.PAUSED
    assert clock.elapsed(chi(2025, 6, 9, 16)) == HOUR
    clock.stop(chi(2025, 6, 9, 13))
    assert clock.outcome is Outcome.NOT_APPLICABLE


def test_reopen_counts_the_span_from_stop_to_reopen_as_paused() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.pause(chi(2025, 6, 9, 10))  # awaiting customer when resolved
    clock.stop(chi(2025, 6, 9, 11))
    assert clock.outcome is Outcome.MET and clock.due_at is None
    clock.reopen(chi(2025, 6, 10, 9))  # disputed the next morning
    assert clock.state is ClockState.RUNNING and clock.outcome is None
    assert clock.elapsed(chi(2025, 6, 10, 9)) == HOUR
    assert clock.due_at == chi(2025, 6, 10, 12)
    clock.stop(chi(2025, 6, 10, 12, 30))
    assert clock.outcome is Outcome.BREACHED
    assert clock.breached_at == chi(2025, 6, 10, 12)


def test_completed_clock_keeps_the_due_in_force_when_it_stopped() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    clock.stop(chi(2025, 6, 9, 10))
    assert clock.due_at == chi(2025, 6, 9, 13)
    assert clock.thresholds_due(chi(2025, 6, 9, 14)) == []
    assert clock.next_threshold_at() is None


@pytest.mark.parametrize(
    ("started", "due"),
    [(MON_9, chi(2025, 6, 9, 13)), (chi(2025, 6, 9, 0, 30), chi(2025, 6, 9, 11))],
    ids=["in business hours", "at night"],
)
def test_a_clock_stopped_in_the_second_it_started_keeps_its_due(
    started: datetime, due: datetime
) -> None:
    # Categorized a few milliseconds after it was filed: the clock ran for no whole second,
    # yet it was running, so the due in force then stays (the same ticket a second slower had it).
    clock = Clock(FOUR_HOURS, DIST, started + timedelta(milliseconds=100))
    clock.stop(started + timedelta(milliseconds=400))
    assert (clock.outcome, clock.due_at) == (Outcome.MET, due)
    resumed = Clock(FOUR_HOURS, DIST, MON_9)
    resumed.pause(chi(2025, 6, 9, 10))
    resumed.resume(chi(2025, 6, 9, 11))
    resumed.stop(chi(2025, 6, 9, 11) + timedelta(milliseconds=300))
    assert resumed.due_at == chi(2025, 6, 9, 14)


def test_cancel_and_illegal_transitions() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    with pytest.raises(ClockError, match="reopen a running"):
        clock.reopen(chi(2025, 6, 9, 10))
    clock.cancel(chi(2025, 6, 9, 10))
    assert clock.state is ClockState.CANCELLED and clock.outcome is None
    for action in (clock.pause, clock.resume, clock.stop, clock.cancel, clock.reopen):
        with pytest.raises(ClockError):
            action(chi(2025, 6, 9, 11))
    with pytest.raises(ClockError):
        clock.retarget(chi(2025, 6, 9, 11), FOUR_HOURS)
    done = Clock(FOUR_HOURS, DIST, MON_9)
    done.stop(chi(2025, 6, 9, 10))
    with pytest.raises(ClockError, match="completed"):
        done.pause(chi(2025, 6, 9, 11))


# -- thresholds --------------------------------------------------------------------------------


def test_each_threshold_fires_once() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    fired = sweep(clock, MON_9, chi(2025, 6, 10, 12), timedelta(minutes=1))
    assert [(c.percent, c.at) for c in fired] == [
        (50, chi(2025, 6, 9, 11)),
        (75, chi(2025, 6, 9, 12)),
        (100, chi(2025, 6, 9, 13)),
    ]
    assert sweep(clock, MON_9, chi(2025, 6, 10, 12), timedelta(minutes=1)) == []


def test_no_threshold_while_paused_and_late_sweep_reports_only_the_highest() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    assert clock.next_threshold_at() == chi(2025, 6, 9, 11)
    clock.pause(chi(2025, 6, 9, 12, 30))  # 3.5 h elapsed: 50 and 75 crossed, not announced
    assert clock.thresholds_due(chi(2025, 6, 9, 14)) == []
    assert clock.next_threshold_at() is None
    clock.resume(chi(2025, 6, 10, 9))
    [late] = clock.thresholds_due(chi(2025, 6, 10, 9))
    assert (late.percent, late.at) == (75, chi(2025, 6, 9, 12))
    clock.mark_fired(late)
    assert clock.next_threshold_at() == chi(2025, 6, 10, 9, 30)
    assert [
        c.percent for c in sweep(clock, late.at, chi(2025, 6, 10, 12), timedelta(minutes=5))
    ] == [100]


def test_stale_crossing_from_an_older_target_is_ignored() -> None:
    clock = Clock(FOUR_HOURS, DIST, MON_9)
    [old] = clock.thresholds_due(chi(2025, 6, 9, 11, 30))
    clock.retarget(chi(2025, 6, 9, 11, 30), Target.duration(10 * HOUR))
    assert not clock.mark_fired(old)
    assert clock.fired_thresholds == ()


def test_threshold_seconds_are_ceil_of_exact_fraction() -> None:
    clock = Clock(Target.duration(101), ALWAYS, MON_9, thresholds=(50, 100, 50))
    assert clock.thresholds == (50, 100)
    [half] = clock.thresholds_due(MON_9 + timedelta(seconds=51))
    assert (half.percent, half.seconds) == (50, 51)  # 50.5 s rounds up, never down
    assert clock.thresholds_due(MON_9 + timedelta(seconds=50)) == []
    with pytest.raises(ValueError, match="positive integer percents"):
        Clock(FOUR_HOURS, DIST, MON_9, thresholds=(0,))


# -- positions and persistence -----------------------------------------------------------------


def test_due_position_gives_remaining_with_one_lookup() -> None:
    clock = Clock(FOUR_HOURS, DIST, chi(2025, 6, 13, 15, 30))
    clock.pause(chi(2025, 6, 13, 16))
    clock.resume(chi(2025, 6, 16, 8))
    position = clock.due_position
    assert position is not None
    now = chi(2025, 6, 16, 9)
    assert position - DIST.position(now) == clock.remaining(now)
    assert DIST.instant_at(position) == clock.due_at


def test_clock_round_trips_through_json() -> None:
    clock = Clock(Target.end_of_next_business_day(), DIST, chi(2025, 6, 9, 10))
    clock.pause(chi(2025, 6, 9, 12))
    clock.resume(chi(2025, 6, 9, 14))
    assert clock.thresholds_due(chi(2025, 6, 10, 10, 29)) == []
    [crossing] = clock.thresholds_due(chi(2025, 6, 10, 11))
    assert crossing.at == chi(2025, 6, 10, 10, 30)  # 8.5 of 17 business hours
    clock.mark_fired(crossing)
    data = json.loads(json.dumps(clock.to_dict()))
    again = Clock.from_dict(data, DIST)
    assert again.to_dict() == clock.to_dict()
    assert again.due_at == chi(2025, 6, 11, 9)
    assert again.budget == 17 * HOUR and again.fired_thresholds == (50,)
    again.stop(chi(2025, 6, 10, 16))
    assert again.outcome is Outcome.MET
    finished = Clock.from_dict(json.loads(json.dumps(again.to_dict())), DIST)
    assert finished.state is ClockState.COMPLETED and finished.outcome is Outcome.MET


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("format", 99, "unsupported clock format"),
        ("segments", [["2025-06-09T15:00:00+00:00", "2025-06-09T14:00:00+00:00"]], "ordered"),
        ("outcome", "met", "exactly when it is completed"),
        ("budget", "17", "budget"),
        ("started_at", "2025-06-09T10:00:00", "naive"),
    ],
)
def test_corrupt_clock_data_is_rejected(field: str, value: object, message: str) -> None:
    data = Clock(FOUR_HOURS, DIST, MON_9).to_dict()
    data[field] = value
    with pytest.raises(ValueError, match=message):
        Clock.from_dict(data, DIST)
