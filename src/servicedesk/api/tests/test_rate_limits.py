"""API rate limits: per token, per signed-in person, and per address without credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from servicedesk.api.services import token_create
from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.directory.models import Person

# Half a minute into a minute-long window: a run crossing a window's end would start afresh.
PINNED_NOW = 1_800_000_030.0


@pytest.fixture
def tight_limits(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("servicedesk.core.limits.clock", lambda: PINNED_NOW)
    settings.SERVICEDESK_RATE_LIMITS = {
        **settings.SERVICEDESK_RATE_LIMITS,
        "api.token": (3, 60),
        "api.address": (2, 60),
    }


def test_a_token_over_its_limit_gets_429_with_retry_after(
    org: Org,
    api_as: Callable[[Person], ApiClient],
    tight_limits: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = api_as(org.employee)
    assert [client.get("/tickets").status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/tickets")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    body = refused.json()
    assert body["code"] == "too_many_requests"
    assert f"Try again in {refused['Retry-After']} seconds" in body["message"]
    assert body["field"] is None
    assert "rate limit api.token refused token:" in caplog.text


def test_each_token_has_its_own_allowance(
    org: Org, api_as: Callable[[Person], ApiClient], tight_limits: None
) -> None:
    first, second = api_as(org.employee), api_as(org.employee)
    for _ in range(3):
        first.get("/tickets")
    assert first.get("/tickets").status_code == 429
    assert second.get("/tickets").status_code == 200


def test_a_signed_in_session_is_limited_per_person(org: Org, tight_limits: None) -> None:
    browser = Client()
    browser.force_login(org.employee)
    statuses = [browser.get("/api/v1/tickets").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_calls_without_valid_credentials_are_limited_per_address(
    org: Org, tight_limits: None, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    guesses = [
        stranger.get("/api/v1/tickets", headers={"Authorization": f"Bearer sd_abc_{n}"})
        for n in range(3)
    ]
    assert [response.status_code for response in guesses] == [401, 401, 429]
    assert guesses[-1].json()["code"] == "too_many_requests"
    assert int(guesses[-1]["Retry-After"]) >= 1
    assert "refused address:203.0.113.9" in caplog.text
    # Another address, and a valid token from the same address, are not held back.
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/v1/tickets").status_code == 401
    _token, plaintext = token_create(org.employee, "script")
    valid = stranger.get("/api/v1/tickets", headers={"Authorization": f"Bearer {plaintext}"})
    assert valid.status_code == 200


def test_an_unknown_path_counts_against_the_address(org: Org, tight_limits: None) -> None:
    caller = Client(REMOTE_ADDR="203.0.113.11")
    statuses = [caller.get("/api/v1/no-such-thing").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_the_limit_holds_in_the_database_not_in_one_process(
    org: Org, api_as: Callable[[Person], ApiClient], tight_limits: None
) -> None:
    from servicedesk.core.models import RateCounter

    client = api_as(org.employee)
    client.get("/tickets")
    client.get("/tickets")
    counter = RateCounter.objects.get(limit_name="api.token")
    assert counter.hits == 2
    assert counter.subject.startswith("token:")


def test_a_limit_switched_off_never_refuses(
    org: Org, api_as: Callable[[Person], ApiClient], settings: Any
) -> None:
    settings.SERVICEDESK_RATE_LIMITS = {**settings.SERVICEDESK_RATE_LIMITS, "api.token": (0, 0)}
    client = api_as(org.employee)
    assert {client.get("/tickets").status_code for _ in range(5)} == {200}
