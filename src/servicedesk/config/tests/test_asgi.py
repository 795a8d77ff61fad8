"""The web process as `servicedesk serve` loads it."""

import subprocess
import sys


def test_what_the_app_loads_is_left_out_of_the_garbage_collectors_walks() -> None:
    # A process of its own: loading the app changes the database settings of the one loading it.
    loaded = subprocess.run(
        [sys.executable, "-c", "import gc, servicedesk.config.asgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(loaded.stdout.split()[-1]) > 10_000
