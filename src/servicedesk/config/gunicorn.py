"""gunicorn's settings when `servicedesk serve` starts it (`-c python:servicedesk.config.gunicorn`).

Its own lines (listening, workers booting or dying) go through the app's logging set-up, so the
console is one format: text, or one JSON object a line. Its access log stays off: the app writes
one line a request itself, with the request id (core.request_log).
"""

from __future__ import annotations

from servicedesk.config.env import read_environment
from servicedesk.config.logs import logging_config

_env = read_environment()

logconfig_dict = logging_config(log_format=_env.log_format, level=_env.log_level)
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
    }
)
graceful_timeout = 5
