"""Mail delivery in the background (django-tasks worker).

`deliver_outbox` is enqueued after each commit that queued mail, and every minute by the
scheduler as a safety net (an enqueue that failed, a retry whose backoff has passed). Running it
twice at once is harmless: rows are claimed one by one before they are sent. It runs on the mail
queue, which a worker of its own serves, so that periodic jobs never hold an acknowledgement up.
"""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import MAIL_QUEUE, every
from servicedesk.notifications.delivery import deliver_all_due


@every(seconds=60)
@task(queue_name=MAIL_QUEUE)
def deliver_outbox() -> dict[str, int]:
    report = deliver_all_due()
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
