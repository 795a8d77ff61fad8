"""Benchmark: recompute the due instants of 1,000,000 running SLA clocks after a calendar edit.

    PYTHONPATH=src python bench/sla_engine_bench.py [--clocks 1000000] [--seed 1]

docs/sla.md's goal: under ~1 s of engine time on this 2-core machine (a plain-Python bisect design
does about 1.2 s). A running clock is (resumed at, business seconds left); its new due instant is
``calendar.add(resumed_at, left)``. The script times, in one run:

* the edit: building the edited DIST calendar (US + Oklahoma holidays plus a snow day) and
  materialising the horizon the clocks need;
* the engine: ``Calendar.add_many`` over 1e6 (start, budget) pairs, two bisects each;
* a trivial baseline loop over the same pairs (``start + budget``) to calibrate the machine;
* for comparison, the same work one call at a time through ``add_ts`` and (on a 100k sample,
  scaled) through the datetime API ``add``.

Figures go to stdout and to bench/results/sla_engine.txt.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from servicedesk.sla.engine import Calendar  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "sla_engine.txt"
WEEKDAYS = {d: [("07:00", "17:00")] for d in range(5)}


def us_ok_holidays(years: range) -> set[date]:
    """Holidays as the Django side materialises them (the engine itself never imports this)."""
    try:
        import holidays  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - the package is a project dependency
        from servicedesk.sla.engine.tests.sla_engine_support import US_OK_HOLIDAYS

        return set(US_OK_HOLIDAYS)
    found: set[date] = set()
    for year in years:
        found |= set(holidays.country_holidays("US", subdiv="OK", years=year))
    return found


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """Best wall time of ``runs`` calls with the garbage collector off (as timeit does)."""
    best = float("inf")
    result: object = None
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            result = work()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clocks", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    n: int = args.clocks

    closures = us_ok_holidays(range(2025, 2028))
    rng = random.Random(args.seed)
    lo = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    hi = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    # Budgets left on running clocks: mostly the SOP targets, some arbitrary remainders.
    budgets = [
        rng.choice((600, 900, 7_200, 14_400, 28_800, 36_000, 180_000))
        if rng.random() < 0.7
        else rng.randrange(0, 5 * 36_000)
        for _ in range(n)
    ]
    uniform = [rng.randrange(lo, hi) for _ in range(n)]

    # The edit: a snow day is added; the edited calendar is built and materialised.
    t0 = time.perf_counter()
    edited = Calendar(
        tz="America/Chicago", weekly=WEEKDAYS, closures=closures | {date(2026, 1, 26)}
    )
    edited.add_many([lo, hi], [0, max(budgets)])
    edit_s = time.perf_counter() - t0

    # Clocks resumed during working hours (the usual case for a running clock).
    in_hours = [edited.instant_ts_at(edited.position_ts(s) + 1) for s in uniform]

    engine_s, dues = best_of(args.runs, lambda: edited.add_many(uniform, budgets))
    engine_hours_s, _ = best_of(args.runs, lambda: edited.add_many(in_hours, budgets))
    baseline_s, _ = best_of(
        args.runs, lambda: [s + d for s, d in zip(uniform, budgets, strict=True)]
    )
    add_ts = edited.add_ts
    single_s, singles = best_of(
        1, lambda: [add_ts(s, d) for s, d in zip(uniform, budgets, strict=True)]
    )
    assert singles == dues
    assert isinstance(dues, list)

    sample = min(n, 100_000)
    moments = [datetime.fromtimestamp(s, UTC) for s in uniform[:sample]]
    datetime_s, _ = best_of(
        1, lambda: [edited.add(m, b) for m, b in zip(moments, budgets[:sample], strict=True)]
    )
    datetime_s *= n / sample

    # Spot-check against the datetime API and between().
    for i in rng.sample(range(n), 1_000):
        start = datetime.fromtimestamp(uniform[i], UTC)
        assert int(edited.add(start, budgets[i]).timestamp()) == dues[i]
        assert edited.between(start, datetime.fromtimestamp(dues[i], UTC)) == budgets[i]

    lines = [
        f"SLA engine benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
        f"clocks: {n:,}; DIST calendar (Mon-Fri 07:00-17:00 America/Chicago, "
        f"{len(closures) + 1} closures); best of {args.runs}, GC off while timing",
        f"calendar edit (build + materialise 2025-2027):     {edit_s:7.3f} s",
        f"engine add_many, starts uniform over 2025-2026:    {engine_s:7.3f} s",
        f"engine add_many, starts inside working hours:      {engine_hours_s:7.3f} s",
        f"baseline loop [s + d for s, d in zip(...)]:        {baseline_s:7.3f} s",
        f"ratio engine (uniform) / baseline:                 {engine_s / baseline_s:7.1f} x",
        f"add_ts, one call per clock (uniform):              {single_s:7.3f} s",
        f"add(datetime), per clock, scaled from {sample:,}:    {datetime_s:7.3f} s",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
