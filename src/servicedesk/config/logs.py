"""Logging: one console handler, text for a person or JSON for a log collector.

The console shows the access log (one line a request, from `core.request_log`), warnings, errors
and failed background tasks. The task worker's line for every task it starts and finishes is
dropped: the scheduler enqueues several jobs a minute, and a console full of "SUCCESSFUL" hides
the one line that matters. Every line carries the request id of the request it belongs to.
"""

from __future__ import annotations

import logging
from typing import Any

import structlog

# django-tasks logs every task's start and success at INFO, its failure at ERROR.
TASK_LOGGERS = ("django_tasks", "django_tasks_db")


class QuietTasks(logging.Filter):
    """Let through what a task worker says at WARNING or above: failures, not routine runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(TASK_LOGGERS):
            return record.levelno >= logging.WARNING
        return True


class RequestId(logging.Filter):
    """Put the current request's id on the record ("-" outside a request, e.g. in the worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = structlog.contextvars.get_contextvars().get("request_id", "-")
        return True


def _json_formatter() -> dict[str, Any]:
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
        "foreign_pre_chain": [
            structlog.contextvars.merge_contextvars,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.format_exc_info,
        ],
    }


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting for `log_format` "text" or "json", console threshold `level`."""
    text = {
        "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        "datefmt": "%Y-%m-%d %H:%M:%S",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "quiet_tasks": {"()": QuietTasks},
            "request_id": {"()": RequestId},
        },
        "formatters": {"text": text, "json": _json_formatter()},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "text",
                "filters": ["quiet_tasks", "request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            # Our own code and the access log speak at the operator's chosen level.
            "servicedesk": {"level": level},
        },
    }
