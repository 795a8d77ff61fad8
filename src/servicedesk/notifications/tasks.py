"""Mail delivery in the background (django-tasks worker).

`deliver_outbox` is enqueued after each commit that queued mail, and every minute by the
scheduler as a safety net (an enqueue that failed, a retry whose backoff has passed). Running it
twice at once is harmless: rows are claimed one by one before they are sent. It runs on the mail
queue, which a worker of its own serves, so that periodic jobs never hold an acknowledgement up.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from servicedesk.core.periodic import MAIL_QUEUE, every
from servicedesk.notifications.delivery import CLAIM_LEASE, deliver_all_due, next_attempt_due


@every(seconds=60)
@task(queue_name=MAIL_QUEUE)
def deliver_outbox() -> dict[str, int]:
    report = deliver_all_due()
    look_again_when_leases_end()
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


def look_again_when_leases_end() -> None:
    """A row still leased when the outbox ran dry may be a dead worker's: look again the moment
    its lease ends, rather than at the next periodic run (unless a run is already waiting)."""
    at = next_attempt_due()
    if at is None or at > timezone.now() + CLAIM_LEASE:
        return
    waiting = DBTaskResult.objects.filter(status="READY", task_path=deliver_outbox.module_path)
    if not waiting.exists():
        deliver_outbox.using(run_after=at).enqueue()
