"""Keep a set of child processes running until a signal says stop (what `servicedesk serve` does).

A child that exits, for whatever reason, is started again after 1, 2, 4 … seconds (at most
`MAX_DELAY`); one that then ran for `STEADY_AFTER` seconds starts its next count from 1 again.
Only SIGINT or SIGTERM stops the supervisor: it passes SIGTERM to every child, waits, and exits 0.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("servicedesk.serve")

MAX_DELAY = 30.0
STEADY_AFTER = 30.0
STOP_GRACE = 10.0


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    delay: float = 1.0
    restarts: int = field(default=0)

    def start(self) -> None:
        # A session of its own: Ctrl-C reaches only the supervisor, which then stops each child
        # with SIGTERM (a child still importing would otherwise print a KeyboardInterrupt).
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Start it again when it has died and its delay has passed."""
        if self.process is None:
            return
        code = self.process.poll()
        if code is None:
            return
        if self.restart_at is None:
            if now - self.started_at >= STEADY_AFTER:
                self.delay = 1.0
            self.restart_at = now + self.delay
            logger.warning(
                "%s stopped (exit %s); starting it again in %.0f s", self.name, code, self.delay
            )
            self.delay = min(self.delay * 2, MAX_DELAY)
        elif now >= self.restart_at:
            self.restarts += 1
            self.start()


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        for child in self.children:
            child.start()
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                child.check(now)
            time.sleep(0.2)
        self.stop_all()

    def stop_all(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
