"""Periodic background jobs: a registry of tasks and how often the scheduler enqueues them.

django-tasks runs tasks but does not schedule them; `servicedesk scheduler` (started by
`servicedesk serve`) enqueues each registered task at its interval. Every periodic task must be
safe to run twice at once (several schedulers on PostgreSQL may overlap): they lock what they work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django_tasks.base import Task

TaskT = TypeVar("TaskT", bound=Task[Any, Any])

# Sending mail has a queue (and, under `servicedesk serve`, a worker) of its own.
MAIL_QUEUE = "mail"


@dataclass(frozen=True)
class PeriodicJob:
    task: Task[Any, Any]
    seconds: int

    @property
    def name(self) -> str:
        return self.task.module_path


REGISTRY: dict[str, PeriodicJob] = {}


def every(*, seconds: int) -> Callable[[TaskT], TaskT]:
    def register(job: TaskT) -> TaskT:
        entry = PeriodicJob(job, seconds)
        REGISTRY[entry.name] = entry
        return job

    return register
