"""Links in mail start with the configured base URL, or the address the server runs on."""

from __future__ import annotations

import pytest

from servicedesk.config.env import read_environment


def test_without_a_base_url_links_follow_the_port_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERVICEDESK_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "9123")
    environment = read_environment()
    assert environment.base_url == "http://127.0.0.1:9123"
    assert not environment.base_url_configured


def test_a_configured_base_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICEDESK_BASE_URL", "https://desk.example.gov/")
    monkeypatch.setenv("PORT", "9123")
    environment = read_environment()
    assert environment.base_url == "https://desk.example.gov"
    assert environment.base_url_configured
