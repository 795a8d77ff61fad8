"""Background jobs that survive faults: workers' signs of life, taking a dead worker's task back,
one enqueue per periodic slot however many schedulers run, and waiting out a database restart.

django-tasks-db marks a task RUNNING when a worker takes it and never looks at it again: a worker
killed mid-task would leave it so for ever. Each `servicedesk worker` writes a beat before it
takes its first task and then every `BEAT_EVERY`; a task whose worker has been silent for
`STALE_AFTER` is put back in line, and the next free worker runs it again. Every task must
therefore be safe to run twice (they are: they claim or lock what they work on, see
`core.periodic`).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models.functions import Now
from django_tasks_db.models import DBTaskResult

from servicedesk.core.models import PeriodicSlot, WorkerBeat
from servicedesk.core.periodic import PeriodicJob

logger = logging.getLogger(__name__)

BEAT_EVERY = 2.0
STALE_AFTER = timedelta(seconds=8)
FORGET_AFTER = timedelta(days=2)
# Finished tasks' results, kept for an admin looking into what ran (django-tasks-db keeps them all:
# some 2,000 a day at least, one per minute for mail alone).
FINISHED_TASKS_KEPT = timedelta(days=7)
RUNNING = "RUNNING"
READY = "READY"
SUCCESSFUL = "SUCCESSFUL"
FAILED = "FAILED"


def worker_beat(worker_id: str, queues: str) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": Now(), "host": socket.gethostname()[:255], "queues": queues[:255]},
    )


def worker_gone(worker_id: str) -> None:
    """A worker that stops cleanly says so (one that cannot is found silent, above)."""
    try:
        WorkerBeat.objects.filter(worker_id=worker_id).delete()
    except DatabaseError:
        logger.info("Worker %s stopped without the database; its beat goes stale", worker_id)


def tasks_of_dead_workers_requeue() -> int:
    """Put back in line each running task whose worker stopped beating; returns how many. The
    dead workers' rows go too (one that was only slow writes its row again at its next beat)."""
    dead = set(
        WorkerBeat.objects.filter(seen_at__lt=Now() - STALE_AFTER).values_list(
            "worker_id", flat=True
        )
    )
    if not dead:
        return 0
    orphans = [
        task
        for task in DBTaskResult.objects.filter(status=RUNNING)
        if task.worker_ids and task.worker_ids[-1] in dead
    ]
    requeued = 0
    for task in orphans:
        # Conditional: a worker that finished it meanwhile, or took it up again, keeps it.
        running_as_seen = {"pk": task.pk, "status": RUNNING, "started_at": task.started_at}
        if DBTaskResult.objects.filter(**running_as_seen).update(status=READY, started_at=None):
            logger.warning("Task %s (%s): worker died; requeued", task.pk, task.task_path)
            requeued += 1
    WorkerBeat.objects.filter(worker_id__in=dead, seen_at__lt=Now() - STALE_AFTER).delete()
    return requeued


def own_orphans_requeue(worker_id: str) -> int:
    """A worker that lost the database mid-task requeues the task it could not finish."""
    mine = [
        task.pk
        for task in DBTaskResult.objects.filter(status=RUNNING)
        if task.worker_ids and task.worker_ids[-1] == worker_id
    ]
    return DBTaskResult.objects.filter(pk__in=mine, status=RUNNING).update(
        status=READY, started_at=None
    )


def periodic_slot_take(job: PeriodicJob, *, now: float, taken_by: str) -> bool:
    """Enqueue the job for the wall-clock slot `now` falls in, unless another scheduler already
    did: the slot's row and the task's row commit together or not at all."""
    slot = int(now // job.seconds)
    try:
        with transaction.atomic():
            PeriodicSlot.objects.create(job=job.name, slot=slot, taken_by=taken_by[:255])
            job.task.enqueue()
    except IntegrityError:
        return False
    return True


def periodic_slots_forget() -> int:
    return PeriodicSlot.objects.filter(taken_at__lt=Now() - FORGET_AFTER).delete()[0]


def finished_tasks_forget() -> int:
    finished = DBTaskResult.objects.filter(status__in=[SUCCESSFUL, FAILED])
    return finished.filter(finished_at__lt=Now() - FINISHED_TASKS_KEPT).delete()[0]


def drop_connections() -> None:
    """After a database error: close every connection (quietly), so the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


class Backoff:
    """Waits 1, 2, 4 … seconds (at most `ceiling`) between attempts; `reset` after a success."""

    def __init__(self, ceiling: float = 30.0) -> None:
        self.ceiling = ceiling
        self.delay = 1.0

    def reset(self) -> None:
        self.delay = 1.0

    def wait(self, still_wanted: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.delay
        while still_wanted() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.delay = min(self.delay * 2, self.ceiling)
