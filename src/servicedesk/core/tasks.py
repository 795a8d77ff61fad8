"""Housekeeping shared by every app."""

from __future__ import annotations

from django_tasks import task

from servicedesk.core.limits import rate_counters_prune
from servicedesk.core.periodic import every


@every(seconds=60 * 60)
@task()
def prune_rate_counters() -> dict[str, int]:
    return {"deleted": rate_counters_prune()}
