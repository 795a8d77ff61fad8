"""Periodic work of the workspace, enqueued by `servicedesk scheduler`, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.workspace.review_reminders import new_queue_review_remind


# Every 5 minutes: the odd-hour reminder lands within minutes of the hour; the unique slot row
# makes the runs in between (and overlapping workers) harmless.
@every(seconds=5 * 60)
@task()
def remind_new_queue_review() -> str:
    """The school district's SLA procedure: remind the desk to review the uncategorized queue; the
    slot's outcome."""
    check = new_queue_review_remind()
    return f"{check.slot.isoformat()} {check.outcome}" if check else "nothing to decide"
