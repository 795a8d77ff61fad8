"""`servicedesk worker`: django-tasks-db's worker, made to outlive database restarts and to hand
the task of a dead colleague to a live one (core.jobs)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from servicedesk.core import jobs

logger = logging.getLogger("servicedesk.worker")


class ResilientWorker(Worker):
    def run(self) -> None:
        stopped = threading.Event()
        beating = threading.Thread(
            target=self._beat, args=(stopped,), name="worker-beat", daemon=True
        )
        beating.start()
        try:
            self._run_through_outages()
        finally:
            stopped.set()
            beating.join(timeout=5)
            jobs.worker_gone(self.worker_id)

    def _run_through_outages(self) -> None:
        backoff = jobs.Backoff()
        while self.running:
            try:
                # A sign of life before the first task: a worker killed before its first beat
                # would otherwise leave its task running for ever, as nobody knew it lived.
                jobs.worker_beat(self.worker_id, self._queues)
                jobs.own_orphans_requeue(self.worker_id)
                super().run()
                return
            except DatabaseError as lost:
                logger.warning("The database is out of reach (%s); trying again", lost)
                self.running_task = False
                jobs.drop_connections()
                backoff.wait(lambda: self.running)

    @property
    def _queues(self) -> str:
        return ",".join(self.queue_names)

    def _beat(self, stopped: threading.Event) -> None:
        """Every few seconds: say this worker lives, and requeue the tasks of dead ones."""
        while self.running and not stopped.wait(jobs.BEAT_EVERY):
            try:
                jobs.worker_beat(self.worker_id, self._queues)
                jobs.tasks_of_dead_workers_requeue()
            except DatabaseError as lost:
                logger.info("Worker beat: the database is out of reach (%s)", lost)
                connection.close_if_unusable_or_obsolete()
                try:
                    connection.close()
                except DatabaseError:
                    connection.connection = None


class Command(DbWorkerCommand):
    help = "Run background tasks; waits out database restarts; takes over a dead worker's task."

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # No --reload here: a reloading worker would drop its task mid-way at each edit.
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
