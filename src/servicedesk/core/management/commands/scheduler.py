"""Enqueue the registered periodic tasks at their intervals until stopped.

Any number of schedulers may run (one per host): each interval of the wall clock is a slot, and a
job is enqueued for a slot only by the scheduler whose row for it commits first (core.jobs). A lost
database is waited out with backoff; the scheduler itself never exits for it.
"""

from __future__ import annotations

import importlib
import logging
import signal
import socket
import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from servicedesk.core import jobs
from servicedesk.core.periodic import REGISTRY

logger = logging.getLogger("servicedesk.scheduler")
FORGET_EVERY = 3600.0


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
        if once:
            for job in REGISTRY.values():
                job.task.enqueue()
            return
        running = True

        def stop(signum: int, frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        me = f"{socket.gethostname()}:{id(self)}"
        backoff = jobs.Backoff()
        done: dict[str, int] = {}
        forgotten_at = 0.0
        while running:
            try:
                now = time.time()
                for job in REGISTRY.values():
                    slot = int(now // job.seconds)
                    if done.get(job.name) != slot:
                        jobs.periodic_slot_take(job, now=now, taken_by=me)
                        done[job.name] = slot
                if now - forgotten_at > FORGET_EVERY:
                    jobs.periodic_slots_forget()
                    jobs.finished_tasks_forget()
                    forgotten_at = now
                backoff.reset()
            except DatabaseError as lost:
                logger.warning("The database is out of reach (%s); trying again", lost)
                jobs.drop_connections()
                backoff.wait(lambda: running)
                continue
            time.sleep(1)
