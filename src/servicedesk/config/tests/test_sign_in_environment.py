"""The sign-in variables of the environment: a mistake stops the start with a plain reason."""

from __future__ import annotations

import pytest

from servicedesk.config.env import read_sign_in_environment
from servicedesk.config.ldap import ldap_settings


def test_defaults_lock_after_five_wrong_passwords_for_fifteen_minutes(monkeypatch) -> None:
    for name in ("SERVICEDESK_SIGN_IN_FAILURE_LIMIT", "SERVICEDESK_OIDC_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SERVICEDESK_LDAP_SERVER_URI", raising=False)
    sign_in = read_sign_in_environment()
    assert (sign_in.failure_limit, sign_in.lockout_minutes) == (5, 15)
    assert sign_in.oidc_providers == [] and sign_in.ldap is None


def test_openid_providers_are_read_from_json(monkeypatch) -> None:
    monkeypatch.setenv(
        "SERVICEDESK_OIDC_PROVIDERS",
        '[{"id": "entra", "name": "State ID", "server_url": "https://login.example/v2.0",'
        ' "client_id": "abc", "secret": "s"}]',
    )
    [entra] = read_sign_in_environment().oidc_providers
    assert entra["id"] == "entra" and entra["server_url"] == "https://login.example/v2.0"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("[{not json", "is not valid JSON"),
        ('{"id": "x"}', "must be a JSON list of objects"),
        ('[{"id": "x", "name": "X"}]', "a provider lacks client_id, server_url"),
    ],
)
def test_a_malformed_provider_list_says_what_is_wrong(monkeypatch, value, reason) -> None:
    monkeypatch.setenv("SERVICEDESK_OIDC_PROVIDERS", value)
    with pytest.raises(ValueError, match=reason):
        read_sign_in_environment()


def test_ldap_settings_for_active_directory(monkeypatch) -> None:
    monkeypatch.setenv("SERVICEDESK_LDAP_SERVER_URI", "ldaps://dc1.agency.example")
    monkeypatch.setenv("SERVICEDESK_LDAP_USER_FILTER", "(sAMAccountName=%(user)s)")
    monkeypatch.setenv("SERVICEDESK_LDAP_GROUP_TYPE", "activeDirectory")
    ldap = read_sign_in_environment().ldap
    assert ldap is not None
    built = ldap_settings(ldap)
    assert built["AUTH_LDAP_SERVER_URI"] == "ldaps://dc1.agency.example"
    assert built["AUTH_LDAP_USER_SEARCH"].filterstr == "(sAMAccountName=%(user)s)"


def test_an_unknown_ldap_group_type_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("SERVICEDESK_LDAP_SERVER_URI", "ldap://ldap.example")
    monkeypatch.setenv("SERVICEDESK_LDAP_GROUP_TYPE", "groupOfUniqueNames")
    ldap = read_sign_in_environment().ldap
    assert ldap is not None
    with pytest.raises(ValueError, match="SERVICEDESK_LDAP_GROUP_TYPE must be one of"):
        ldap_settings(ldap)
