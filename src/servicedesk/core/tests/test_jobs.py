"""Workers' signs of life, a dead worker's task put back in line, one enqueue per periodic slot,
and `serve`'s restart of a child that stops (the real processes: test_faults.py)."""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from servicedesk.core import jobs
from servicedesk.core.models import PeriodicSlot, WorkerBeat
from servicedesk.core.periodic import REGISTRY
from servicedesk.core.supervision import Child
from servicedesk.core.tasks import prune_rate_counters


def _running_task(worker_id: str) -> DBTaskResult[[], dict[str, int]]:
    result = prune_rate_counters.enqueue()
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim(worker_id)
    return task


@pytest.mark.django_db
def test_the_task_of_a_silent_worker_goes_back_in_line_and_a_live_ones_stays() -> None:
    jobs.worker_beat("alive", "default")
    jobs.worker_beat("dead", "default")
    WorkerBeat.objects.filter(worker_id="dead").update(
        seen_at=timezone.now() - jobs.STALE_AFTER - timedelta(seconds=1)
    )
    orphan, busy = _running_task("dead"), _running_task("alive")
    assert jobs.tasks_of_dead_workers_requeue() == 1
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert (orphan.status, busy.status) == ("READY", "RUNNING")


@pytest.mark.django_db(transaction=True)
def test_a_worker_says_it_lives_before_it_takes_its_first_task() -> None:
    """Killed before its first beat, a worker that had not said so would leave its task running
    for ever: nobody would know it had lived, so nobody would find it dead."""
    from servicedesk.core.management.commands.worker import ResilientWorker

    prune_rate_counters.enqueue()
    alive_when_it_started: list[bool] = []

    class Watched(ResilientWorker):
        def run_task(self, db_task_result: DBTaskResult[[], dict[str, int]]) -> None:
            beat = WorkerBeat.objects.filter(worker_id=self.worker_id)
            alive_when_it_started.append(beat.exists())
            super().run_task(db_task_result)

    worker = Watched(
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="quick",
        excluded_queue_names=[],
    )
    worker.run()
    assert alive_when_it_started == [True]
    assert not WorkerBeat.objects.filter(worker_id="quick").exists()


@pytest.mark.django_db
def test_finished_tasks_are_forgotten_after_a_week_and_waiting_ones_never() -> None:
    old = timezone.now() - jobs.FINISHED_TASKS_KEPT - timedelta(hours=1)
    done, failed, recent = (_running_task("w") for _ in range(3))
    DBTaskResult.objects.filter(pk=done.pk).update(status="SUCCESSFUL", finished_at=old)
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=old)
    DBTaskResult.objects.filter(pk=recent.pk).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    waiting = prune_rate_counters.enqueue()
    assert jobs.finished_tasks_forget() == 2
    kept = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert kept == {str(recent.pk), waiting.id}


@pytest.mark.django_db
def test_a_worker_back_from_a_lost_database_requeues_its_own_unfinished_task() -> None:
    task = _running_task("me")
    assert jobs.own_orphans_requeue("me") == 1
    task.refresh_from_db()
    assert task.status == "READY"


@pytest.mark.django_db
def test_three_schedulers_in_one_slot_enqueue_a_job_once() -> None:
    job = REGISTRY["servicedesk.core.tasks.prune_rate_counters"]
    now = time.time()
    taken = [jobs.periodic_slot_take(job, now=now, taken_by=f"host{n}") for n in range(3)]
    assert taken == [True, False, False]
    assert DBTaskResult.objects.filter(task_path=job.name).count() == 1
    assert jobs.periodic_slot_take(job, now=now + job.seconds, taken_by="host1")
    assert PeriodicSlot.objects.count() == 2


def test_a_child_that_stops_is_started_again_after_its_backoff() -> None:
    child = Child("sleeper", [sys.executable, "-c", "import sys; sys.exit(3)"])
    child.start()
    assert child.process is not None
    child.process.wait()
    first = child.process.pid
    child.check(time.monotonic())
    assert child.restart_at is not None and child.process.pid == first
    child.check(child.restart_at)
    assert child.restarts == 1 and child.process.pid != first
    child.process.wait()
    child.check(time.monotonic())
    assert child.delay == 4.0  # 1 s, then 2 s, then 4 s while it keeps failing
