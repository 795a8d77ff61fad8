"""The engine is pure: no Django, nothing else from the project, and no dependence on the
process time zone."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[1]
SRC = ENGINE.parents[2]
SOURCES = sorted(ENGINE.rglob("*.py"))
ENGINE_MODULES = sorted(
    "servicedesk.sla.engine" + ("" if p.stem == "__init__" else "." + p.stem)
    for p in ENGINE.glob("*.py")
)


def run_python(code: str, **env: str) -> str:
    environment = {**os.environ, "PYTHONPATH": str(SRC), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_engine_module_imports_without_django() -> None:
    assert len(ENGINE_MODULES) >= 6
    code = (
        "import importlib, json, sys\n"
        f"for name in {ENGINE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(run_python(code))
    assert set(ENGINE_MODULES) <= set(loaded)
    assert not [m for m in loaded if m == "django" or m.startswith("django.")]
    assert not [m for m in loaded if m.startswith("holidays")]
    project = [m for m in loaded if m.startswith("servicedesk.")]
    assert all(m in ("servicedesk.sla",) or m.startswith("servicedesk.sla.engine") for m in project)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ENGINE)))
def test_no_source_file_imports_django_or_the_rest_of_the_project(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django\b", text, re.MULTILINE)
    for node in ast.walk(ast.parse(text)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] != "django", f"{path.name} imports {name}"
            if name.startswith("servicedesk"):
                assert name.startswith("servicedesk.sla.engine"), f"{path.name} imports {name}"
            if path.parent == ENGINE:  # the package itself: standard library only
                assert name.split(".")[0] in sys.stdlib_module_names, f"{path.name}: {name}"


TZ_PROBE = """
import json
import time
from datetime import UTC, datetime, timedelta
from servicedesk.sla.engine.tests.test_sla_engine_examples import CASES
from servicedesk.sla.engine.tests.sla_engine_support import DIST, ALWAYS
from servicedesk.sla.engine import Calendar, Clock, Target

def show(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [show(v) for v in value]
    return repr(value)

out = {name: show(case()) for name, case, _ in CASES}
london = Calendar(tz="Europe/London", weekly={d: [("00:00", "04:00")] for d in range(7)})
base = datetime(2025, 3, 28, tzinfo=UTC)
for cal_name, cal in (("dist", DIST), ("always", ALWAYS), ("london", london)):
    for hours in range(0, 24 * 14, 7):
        start = base + timedelta(hours=hours)
        out[f"{cal_name}-{hours}"] = [
            cal.add(start, 3 * 3600).isoformat(),
            cal.between(start, start + timedelta(days=3)),
            str(Target.end_of_next_business_day().due(cal, start)),
        ]
out["process-offset"] = time.strftime("%z", time.localtime(1750000000))
print(json.dumps(out, sort_keys=True))
"""

OTHER_ZONES = ("Asia/Kolkata", "America/Los_Angeles")


def test_results_do_not_depend_on_the_process_time_zone() -> None:
    runs = {tz: json.loads(run_python(TZ_PROBE, TZ=tz)) for tz in ("UTC", *OTHER_ZONES)}
    # Each process really ran in the zone it was given, so the comparison means something.
    assert {tz: run.pop("process-offset") for tz, run in runs.items()} == {
        "UTC": "+0000",
        "Asia/Kolkata": "+0530",
        "America/Los_Angeles": "-0700",
    }
    assert len(runs["UTC"]) > 21
    for tz in OTHER_ZONES:
        assert runs[tz] == runs["UTC"], tz
