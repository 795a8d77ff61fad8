"""Readiness: may this instance take traffic, and is the work behind it being done?

`/healthz` answers "the process is up" and touches nothing. `/readyz` asks the database, then
whether background work is being picked up: a task waiting longer than the threshold means no
task worker is running (the scheduler enqueues jobs every few seconds); mail due longer than its
threshold means the outbox is not being delivered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest: datetime | None

    def age_seconds(self, now: datetime) -> int:
        return int((now - self.oldest).total_seconds()) if self.oldest else 0


def task_backlog(now: datetime) -> Backlog:
    """Tasks ready to run now, and since when the longest-waiting one has been due."""
    due_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    found = DBTaskResult.objects.ready().aggregate(waiting=Count("id"), oldest=Min(due_since))
    return Backlog(found["waiting"], found["oldest"])


def outbox_backlog(now: datetime) -> Backlog:
    """Mail due for delivery (first try or retry), and since when the oldest has been due."""
    found = OutboundEmail.objects.filter(
        state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).aggregate(waiting=Count("id"), oldest=Min("next_attempt_at"))
    return Backlog(found["waiting"], found["oldest"])


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # The error names hosts and users: it goes to the log, not to whoever asks.
        logger.warning("Readiness: the database is unreachable: %s", error)
        return Check("database", False, f"unreachable ({type(error).__name__})")
    return Check("database", True, "reachable")


def _backlog_check(name: str, backlog: Backlog, limit: int, now: datetime, what: str) -> Check:
    age = backlog.age_seconds(now)
    detail = f"{what} waiting: {backlog.waiting}, the oldest for {age} s (limit {limit} s)"
    return Check(name, age <= limit, detail)


def readiness(now: datetime | None = None) -> list[Check]:
    now = now or timezone.now()
    database = _database()
    if not database.ok:
        not_checked = "not checked: the database is unreachable"
        return [database, Check("tasks", False, not_checked), Check("outbox", False, not_checked)]
    task_limit = settings.SERVICEDESK_READY_TASK_BACKLOG_SECONDS
    outbox_limit = settings.SERVICEDESK_READY_OUTBOX_BACKLOG_SECONDS
    return [
        database,
        _backlog_check("tasks", task_backlog(now), task_limit, now, "tasks"),
        _backlog_check("outbox", outbox_backlog(now), outbox_limit, now, "mails"),
    ]
