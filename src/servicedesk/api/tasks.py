"""Webhook delivery in the background: after each commit that queued some, and every minute as
a safety net for retries whose backoff has passed. Safe to run twice at once (rows are claimed)."""

from __future__ import annotations

from django_tasks import task

from servicedesk.api.webhook_delivery import deliver_due_webhooks
from servicedesk.core.periodic import every


@every(seconds=60)
@task()
def deliver_webhooks() -> dict[str, int]:
    report = deliver_due_webhooks()
    return {"delivered": report.delivered, "retrying": report.retrying, "failed": report.failed}
