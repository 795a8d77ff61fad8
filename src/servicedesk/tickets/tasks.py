"""Periodic work on tickets, enqueued by `servicedesk scheduler` and run by the task worker.

Safe to run twice at once: each ticket is locked and re-checked before it is closed, and a ticket
that is already closed is skipped.
"""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.tickets.services.maintenance import scheduled_follow_ups_remind
from servicedesk.tickets.services.resolution import resolutions_close_expired


# Every 15 minutes: the window is days long, so a closure a few minutes late harms nobody.
@every(seconds=15 * 60)
@task()
def close_expired_resolutions() -> list[str]:
    """Close resolved tickets whose dispute window has passed; returns their numbers."""
    return resolutions_close_expired()


# Hourly: the rule is weekly, so an hour late is on time; the claim makes overlaps harmless.
@every(seconds=60 * 60)
@task()
def remind_scheduled_follow_ups() -> list[str]:
    """The school district's SLA procedure: remind assignees of scheduled maintenance quiet for a
    week; their numbers."""
    return [reminder.number for reminder in scheduled_follow_ups_remind()]
