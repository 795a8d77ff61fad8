import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult


@pytest.mark.django_db
def test_the_scheduler_enqueues_every_periodic_job() -> None:
    call_command("scheduler", "--once")
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "servicedesk.sla.tasks.sweep_clocks" in queued


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweep() -> None:
    call_command("scheduler", "--once")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    result = DBTaskResult.objects.get(task_path="servicedesk.sla.tasks.sweep_clocks")
    assert result.status == "SUCCESSFUL"
