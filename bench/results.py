"""What the benchmarks write to `bench/results/`: each file's summary and the files."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import PROJECT_ROOT
from bench.database import DEFAULT_TICKETS

RESULTS = PROJECT_ROOT / "bench" / "results"


def nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_summary(vendor: str, tickets: int, **more: Any) -> dict[str, Any]:
    """What every result file starts with: when, which database, how full, which machine."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "vendor": vendor,
        "tickets": tickets,
        "nproc": nproc(),
        **more,
    }


def write_result_files(name: str, data: dict[str, Any], lines: list[str]) -> Path:
    """`bench/results/<name>.json` for tools and `<name>.txt` for people; the .txt path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS / f"{name}.txt").write_text("\n".join(lines) + "\n")
    return RESULTS / f"{name}.txt"


def sized_name(name: str, tickets: int) -> str:
    """`name` for the default size; `name-<tickets>` for another, so a run at a million tickets
    keeps the default-size files."""
    return name if tickets == DEFAULT_TICKETS else f"{name}-{tickets}"


def load_average() -> str:
    """`uptime`'s three figures (1, 5, 15 minutes), recorded beside the figures."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())
