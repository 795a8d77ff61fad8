"""The shared limiter: counts per subject and window in the database, refuses with a retry time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from servicedesk.config.env import _rate
from servicedesk.core.limits import (
    Limit,
    RateLimited,
    client_address,
    limit_hit,
    person_limit_hit,
    rate_counters_prune,
)
from servicedesk.core.models import RateCounter

pytestmark = pytest.mark.django_db

THREE_A_MINUTE = Limit(name="test.thing", hits=3, seconds=60)


def test_the_hit_past_the_limit_is_refused_until_the_window_ends() -> None:
    start = 1_800_000_000.0  # a multiple of 60: the window opens here
    for second in range(3):
        limit_hit(THREE_A_MINUTE, "person:1", now=start + second)
    with pytest.raises(RateLimited) as refused:
        limit_hit(THREE_A_MINUTE, "person:1", now=start + 15.5)
    assert refused.value.retry_after == 45
    limit_hit(THREE_A_MINUTE, "person:1", now=start + 60)  # the next window starts afresh


def test_subjects_are_counted_apart() -> None:
    for _ in range(3):
        limit_hit(THREE_A_MINUTE, "person:1", now=1_800_000_000)
    limit_hit(THREE_A_MINUTE, "person:2", now=1_800_000_000)
    assert RateCounter.objects.get(subject="person:1").hits == 3


def test_the_per_person_limiter_reads_the_configured_limit_for_a_chat_channel(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SERVICEDESK_RATE_LIMITS = {**settings.SERVICEDESK_RATE_LIMITS, "chat.message": (1, 30)}
    person_limit_hit("chat.message", 7, now=1_800_000_000)
    with pytest.raises(RateLimited):
        person_limit_hit("chat.message", 7, now=1_800_000_001)
    assert "rate limit chat.message refused person:7 (2 hits, limit 1 per 30s); retry in 29s" in (
        caplog.text
    )


def test_a_limit_with_no_hits_is_off() -> None:
    for _ in range(10):
        limit_hit(Limit(name="off", hits=0, seconds=0), "person:1")
    assert not RateCounter.objects.exists()


def test_old_windows_are_pruned() -> None:
    old = int((timezone.now() - timedelta(days=2)).timestamp())
    limit_hit(THREE_A_MINUTE, "person:1", now=old)
    limit_hit(THREE_A_MINUTE, "person:1")
    assert rate_counters_prune() == 1
    assert RateCounter.objects.count() == 1


def test_only_trusted_proxies_are_believed_about_the_address(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    settings.SERVICEDESK_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"
    settings.SERVICEDESK_TRUSTED_PROXIES = 1
    assert client_address(request) == "198.51.100.7"


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICEDESK_LIMIT_X", "20/3600")
    assert _rate("SERVICEDESK_LIMIT_X", "1/1") == (20, 3600)
    monkeypatch.setenv("SERVICEDESK_LIMIT_X", "off")
    assert _rate("SERVICEDESK_LIMIT_X", "1/1") == (0, 0)
    monkeypatch.setenv("SERVICEDESK_LIMIT_X", "lots")
    with pytest.raises(ValueError, match="SERVICEDESK_LIMIT_X='lots': write HITS/SECONDS"):
        _rate("SERVICEDESK_LIMIT_X", "1/1")
