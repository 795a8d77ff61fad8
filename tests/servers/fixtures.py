"""Pytest fixtures for the real servers the sign-in tests run against."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.directory import Directory, run_directory
from tests.servers.oauth import AuthorizationServer, run_authorization_server
from tests.servers.openid import OpenIdProvider, run_provider

OIDC_PROVIDER_ID = "state-idp"


@pytest.fixture(scope="session")
def ldap_directory() -> Iterator[Directory]:
    yield from run_directory()


def callback_url(base_url: str) -> str:
    return f"{base_url}/accounts/oidc/{OIDC_PROVIDER_ID}/login/callback/"


@pytest.fixture(scope="session")
def openid_provider() -> Iterator[OpenIdProvider]:
    """For the test client (http://testserver) and a browser on any live server port: the
    provider is told the callback addresses it may send people back to."""
    yield from run_provider([callback_url("http://testserver")])


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[AuthorizationServer]:
    """The mail provider's OAuth 2.0 authorization server (for cloud mailboxes)."""
    yield from run_authorization_server()
