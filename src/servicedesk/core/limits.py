"""Abuse limits: at most N hits per window of S seconds for one subject (a token, a person, an
address), shared by every worker and every host.

Counters live in the database (`RateCounter`), one row per limit, subject and window, bumped by a
single atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING` (SQLite ≥ 3.35 and PostgreSQL alike).
Django's cache framework was the other candidate: its default (local memory) is per process, so
each gunicorn worker would count alone, and its database cache increments by read-then-write, so
two workers can both read 9 and both write 10. The database is already shared by every worker and
host, and one statement per hit is cheap next to the request it guards (about 0.1 ms on SQLite,
0.4 ms on PostgreSQL, where the table is UNLOGGED: see its migration).

Windows are fixed (aligned on multiples of their length): a refused caller is told exactly when
the window ends (`retry_after`), at the price of allowing up to twice the rate across a boundary.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from servicedesk.core.models import RateCounter

logger = logging.getLogger("servicedesk.limits")


def clock() -> float:
    """Now, in Unix seconds (one place, so that tests can pin it inside a window)."""
    return time.time()


@dataclass(frozen=True)
class Limit:
    """`hits` per `seconds`; a limit with `hits == 0` is switched off."""

    name: str
    hits: int
    seconds: int

    @property
    def is_on(self) -> bool:
        return self.hits > 0 and self.seconds > 0


class RateLimited(Exception):  # noqa: N818 (it reads as what happened to the caller)
    """Refused: the subject used up `limit` in this window; it may try again in `retry_after`."""

    def __init__(self, limit: Limit, subject: str, retry_after: int) -> None:
        super().__init__(f"{limit.name} limit reached for {subject}; retry in {retry_after}s")
        self.limit = limit
        self.subject = subject
        self.retry_after = retry_after


def configured(name: str) -> Limit:
    """The limit called `name` as the operator configured it (`SERVICEDESK_RATE_LIMITS`)."""
    hits, seconds = settings.SERVICEDESK_RATE_LIMITS[name]
    return Limit(name=name, hits=hits, seconds=seconds)


_UPSERT = (
    "INSERT INTO core_ratecounter (limit_name, subject, window_start, hits) "
    "VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (limit_name, subject, window_start) "
    "DO UPDATE SET hits = core_ratecounter.hits + 1 "
    "RETURNING hits"
)


def _count_hit(limit: Limit, subject: str, window_start: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [limit.name, subject, window_start])
        row = cursor.fetchone()
    return int(row[0])


def limit_hit(limit: Limit, subject: str, *, now: float | None = None) -> None:
    """Count one hit of `subject` against `limit`; raise `RateLimited` once it is over.

    Every refusal is logged (limit, subject, when to retry) so that an operator can see who is
    being held back and tune the limit.
    """
    if not limit.is_on:
        return
    moment = clock() if now is None else now
    window_start = int(moment // limit.seconds) * limit.seconds
    hits = _count_hit(limit, subject[:200], window_start)
    if hits <= limit.hits:
        return
    retry_after = max(1, math.ceil(window_start + limit.seconds - moment))
    logger.warning(
        "rate limit %s refused %s (%d hits, limit %d per %ds); retry in %ds",
        limit.name,
        subject,
        hits,
        limit.hits,
        limit.seconds,
        retry_after,
    )
    raise RateLimited(limit, subject, retry_after)


def person_limit_hit(name: str, person_pk: int, *, now: float | None = None) -> None:
    """The per-person limiter for any channel (portal filing, chat messages, …)."""
    limit_hit(configured(name), f"person:{person_pk}", now=now)


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the address the trusted proxies in front of us
    saw (`SERVICEDESK_TRUSTED_PROXIES` of them append to X-Forwarded-For). A client can write
    any X-Forwarded-For it likes, so only the proxies' own entries are believed."""
    proxies = settings.SERVICEDESK_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return str(hops[-min(proxies, len(hops))])
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def rate_counters_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget windows that ended long ago; the counters are working state, not history."""
    cutoff = int((timezone.now() - older_than).timestamp())
    deleted, _ = RateCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted
