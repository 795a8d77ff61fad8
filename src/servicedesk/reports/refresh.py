"""A dashboard past its minute is shown as it was counted while a new count runs behind it.

At a million tickets one build of the dashboard takes about 2 s of queries. Counted inside the
request, every web process made one manager wait that long each minute (the bench's p95 of the
reports page was that build). Now the request that finds its build older than the minute gets
it at once, with the moment it was counted, and starts the next build in a thread of its own;
the requests after it get the new one, its figures rendered behind too (`reports.views`). Only
a build nobody asked for within `KEPT_FOR` minutes of fresh ones is gone, and then the request
counts it, as before.

One build per cache key at a time, per process (the cache is the process's own).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

# How many fresh periods a build is kept, to be shown while the next one is counted.
KEPT_FOR = 10

_building: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def kept_seconds() -> int:
    """How long a build, and its rendering, is kept."""
    return int(settings.SERVICEDESK_REPORTS_CACHE_SECONDS) * KEPT_FOR


def rebuild_behind(key: str, build: Callable[[], object]) -> None:
    """Count `key` again in a thread of its own unless that is already under way."""
    with _lock:
        if key in _building:
            return
        thread = threading.Thread(
            target=_rebuild, args=(key, build), name="report-rebuild", daemon=True
        )
        _building[key] = thread
    thread.start()


def _rebuild(key: str, build: Callable[[], object]) -> None:
    try:
        cache.set(key, build(), kept_seconds())
    except Exception:
        # The old build stays on show; the next request past the minute tries again.
        logger.exception("Counting the report %s again failed", key)
    finally:
        connections.close_all()  # this thread's own
        with _lock:
            _building.pop(key, None)


def rebuilds_finish(timeout: float = 30.0) -> None:
    """Wait for the counts under way (a test reads what they stored)."""
    with _lock:
        threads = list(_building.values())
    for thread in threads:
        thread.join(timeout)
