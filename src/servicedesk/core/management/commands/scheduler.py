"""Enqueue the registered periodic tasks at their intervals until stopped."""

from __future__ import annotations

import importlib
import signal
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from servicedesk.core.periodic import REGISTRY


def load_task_modules() -> None:
    """Import every installed app's `tasks` module so its periodic jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("servicedesk."):
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as missing:
                if missing.name != f"{config.name}.tasks":
                    raise


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (SLA sweep, auto-close, mail fetch) on schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every job once, exit.")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        load_task_modules()
        running = True

        def stop(signum: int, frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        next_run = dict.fromkeys(REGISTRY, 0.0)
        while running:
            now = time.monotonic()
            for name, job in REGISTRY.items():
                if now >= next_run[name]:
                    job.task.enqueue()
                    next_run[name] = now + job.seconds
            if once:
                break
            time.sleep(1)
