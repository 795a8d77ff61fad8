"""The shift reports go by themselves: the scheduler runs this every minute, and it sends each
schedule once its time has come on a business day (safe to run twice at once: rows are locked)."""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.reports.export_jobs import export_run
from servicedesk.reports.shift_services import shift_reports_send_due
from servicedesk.reports.subscription_services import subscriptions_send_due


@every(seconds=60)
@task()
def send_due_shift_reports() -> dict[str, int]:
    return {"sent": len(shift_reports_send_due())}


@task()
def run_export(key: str) -> dict[str, int]:
    """Write one background export (enqueued when someone asks for a long list)."""
    job = export_run(key)
    return {"rows": job.done}


@every(seconds=60)
@task()
def send_due_subscriptions() -> dict[str, int]:
    """Saved views and dashboards by mail, each once in its day or week at its local time."""
    return {"mails": subscriptions_send_due()}
