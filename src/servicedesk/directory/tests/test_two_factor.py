"""Two-factor sign-in: an admin requires it per role; a person of that role sets up an
authenticator app (or a passkey) before anything else, then gives its code at every sign-in;
recovery codes stand in for a lost phone; API tokens are not asked for a second factor."""

from __future__ import annotations

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.test import Client

from servicedesk.api.services import token_create
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person, TwoFactorRequirement

PASSWORD = "right-password-7"


@pytest.fixture
def agent(db: None) -> Person:
    cache.clear()  # codes once used are remembered there
    return Person.objects.create(
        username="agent", first_name="Avery", role=Role.AGENT, password=make_password(PASSWORD)
    )


def sign_in(client: Client) -> str:
    response = client.post("/accounts/login/", {"login": "agent", "password": PASSWORD})
    return str(response.headers.get("Location", ""))


def test_a_role_that_requires_it_must_set_up_a_second_factor_before_anything_else(
    agent: Person, client: Client
) -> None:
    TwoFactorRequirement.objects.create(role=Role.AGENT)
    sign_in(client)
    assert client.get("/workspace/").headers["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/").content.decode()
    assert "Your role signs in with a second factor" in page
    nav_counts = client.get("/workspace/counts/", headers={"HX-Request": "true"})
    assert (nav_counts.status_code, nav_counts.content) == (204, b"")
    setup = client.get("/accounts/2fa/totp/activate/")
    secret = setup.context["form"].secret
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=agent).exists()
    client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert Authenticator.objects.filter(user=agent, type="totp").exists()
    assert client.get("/workspace/").status_code == 200


def test_a_role_that_does_not_require_it_goes_straight_in(agent: Person, client: Client) -> None:
    TwoFactorRequirement.objects.create(role=Role.ADMIN)
    assert sign_in(client) == "/"
    assert client.get("/workspace/").status_code == 200


def test_with_an_authenticator_app_the_code_is_asked_after_the_password(
    agent: Person, client: Client
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    assert sign_in(client) == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert "Incorrect code" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/"
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_a_recovery_code_stands_in_for_the_app_once(agent: Person, client: Client) -> None:
    TOTP.activate(agent, generate_totp_secret())
    code = RecoveryCodes.activate(agent).get_unused_codes()[0]
    sign_in(client)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.session["_auth_user_id"] == str(agent.pk)
    second = Client()
    sign_in(second)
    again = second.post("/accounts/2fa/authenticate/", {"code": code})
    assert "Incorrect code" in again.content.decode()


def test_api_tokens_are_not_asked_for_a_second_factor(agent: Person) -> None:
    TwoFactorRequirement.objects.create(role=Role.AGENT)
    TOTP.activate(agent, generate_totp_secret())
    _, token = token_create(agent, "script")
    response = Client().get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_the_setup_page_lists_the_second_factors_on_offer(agent: Person, client: Client) -> None:
    TwoFactorRequirement.objects.create(role=Role.AGENT)
    sign_in(client)
    page = client.get("/accounts/2fa/").content.decode()
    assert re.search(r"Authenticator App", page)
    assert "Security Keys" in page or "Passkeys" in page
