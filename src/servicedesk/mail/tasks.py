"""Mail fetching in the background: the scheduler enqueues it every minute."""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.periodic import every
from servicedesk.mail.fetching import fetch_all


@every(seconds=60)
@task()
def fetch_mail() -> dict[str, dict[str, int]]:
    return {name: report.outcomes for name, report in fetch_all().items()}
