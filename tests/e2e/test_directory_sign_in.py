"""Signing in through the organisation's directory (a real OpenID provider under node, a real
OpenLDAP server), two-factor sign-in, and the lockout after wrong passwords, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialApp
from django.core.cache import cache
from playwright.sync_api import Page, expect

from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import (
    DirectoryGroupRule,
    Person,
    SupportGroup,
    TwoFactorRequirement,
)
from tests.e2e.pages import (
    E2E_PASSWORD,
    GivePassword,
    Header,
    LoginPage,
    OpenIdProviderLogin,
    TwoFactorPage,
)
from tests.servers.directory import DIRECTORY_PASSWORD, Directory
from tests.servers.fixtures import OIDC_PROVIDER_ID, callback_url
from tests.servers.openid import OpenIdProvider, run_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider_for_browser(live_server) -> Iterator[OpenIdProvider]:
    yield from run_provider([callback_url(live_server.url)])


@pytest.fixture
def network_team() -> SupportGroup:
    team = SupportGroup.objects.create(name="Network team", tier=Tier.L2)
    DirectoryGroupRule.objects.create(directory_group="sd-network-agents", role=Role.AGENT)
    DirectoryGroupRule.objects.create(directory_group="sd-network-agents", support_group=team)
    DirectoryGroupRule.objects.create(directory_group="sd-agents", role=Role.AGENT)
    DirectoryGroupRule.objects.create(directory_group="sd-network-team", support_group=team)
    return team


def test_signing_in_through_the_openid_provider_lands_with_the_mapped_role_and_group(
    live_server, page: Page, provider_for_browser: OpenIdProvider, network_team: SupportGroup
) -> None:
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=OIDC_PROVIDER_ID,
        name="State ID",
        client_id=provider_for_browser.client_id,
        secret=provider_for_browser.secret,
        settings={"server_url": provider_for_browser.issuer},
    )
    LoginPage(page, live_server.url).open().sign_in_with("State ID")
    expect(page).to_have_url(re.compile(re.escape(provider_for_browser.issuer)))
    OpenIdProviderLogin(page).sign_in("olivia", "anything")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(Header(page).who_am_i).to_contain_text("Olivia Brandt · Agent")
    olivia = Person.objects.get(email="olivia.brandt@revenue.example")
    assert [group.name for group in olivia.support_groups.all()] == ["Network team"]
    assert not olivia.has_usable_password()


def test_signing_in_with_a_directory_password_lands_with_the_mapped_role_and_group(
    live_server, page: Page, ldap_directory: Directory, settings, network_team: SupportGroup
) -> None:
    for name, value in ldap_directory.settings().items():
        setattr(settings, name, value)
    LoginPage(page, live_server.url).open().sign_in("dana", DIRECTORY_PASSWORD)
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(Header(page).who_am_i).to_contain_text("Dana Whitfield · Agent")
    dana = Person.objects.get(username="dana")
    assert [group.name for group in dana.support_groups.all()] == ["Network team"]


@pytest.fixture
def agent(give_password: GivePassword) -> Person:
    cache.clear()  # authenticator codes once used are remembered there
    person = Person.objects.create(
        username="avery", first_name="Avery", last_name="Lund", role=Role.AGENT
    )
    give_password(person)
    TwoFactorRequirement.objects.create(role=Role.AGENT)
    return person


def test_a_staff_member_whose_role_requires_it_is_asked_for_the_code(
    live_server, page: Page, agent: Person
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(agent, secret)
    LoginPage(page, live_server.url).open().sign_in("avery", E2E_PASSWORD)
    two_factor = TwoFactorPage(page)
    expect(two_factor.code).to_be_visible()
    two_factor.enter("000000")
    expect(two_factor.error).to_contain_text("Incorrect code")
    two_factor.enter(pyotp.TOTP(secret).now())
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(Header(page).who_am_i).to_contain_text("Avery Lund")


def test_a_staff_member_without_a_second_factor_sets_one_up_before_working(
    live_server, page: Page, agent: Person
) -> None:
    LoginPage(page, live_server.url).open().sign_in("avery", E2E_PASSWORD)
    two_factor = TwoFactorPage(page)
    expect(two_factor.notice).to_be_visible()
    page.goto(f"{live_server.url}/workspace/")
    expect(two_factor.notice).to_be_visible()
    two_factor.start_authenticator_app_setup()
    secret = two_factor.secret
    two_factor.enter(pyotp.TOTP(secret).now())
    page.goto(f"{live_server.url}/workspace/")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(Header(page).who_am_i).to_contain_text("Avery Lund")


def test_a_staff_member_signs_in_with_a_passkey_as_second_factor(
    live_server, page: Page, agent: Person, settings
) -> None:
    """Chromium's virtual authenticator stands in for the security key or phone: a mock only
    of the hardware, the browser's WebAuthn and our server side run for real."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain HTTP
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    LoginPage(page, live_server.url).open().sign_in("avery", E2E_PASSWORD)
    two_factor = TwoFactorPage(page)
    expect(two_factor.notice).to_be_visible()
    page.goto(f"{live_server.url}/accounts/2fa/")
    two_factor.add_security_key()
    expect(page.get_by_text("Security key added")).to_be_visible(timeout=15_000)
    assert Authenticator.objects.filter(user=agent, type="webauthn").exists()
    Header(page).sign_out()
    LoginPage(page, live_server.url).open().sign_in("avery", E2E_PASSWORD)
    two_factor.use_security_key()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(Header(page).who_am_i).to_contain_text("Avery Lund")


def test_the_sixth_wrong_password_is_refused_with_the_time_to_retry(
    live_server, page: Page, give_password: GivePassword
) -> None:
    desk = Person.objects.create(username="desk", first_name="Dee", role=Role.AGENT)
    give_password(desk)
    login = LoginPage(page, live_server.url).open()
    for _ in range(5):
        login.sign_in("desk", "not-the-password")
        expect(login.error).to_contain_text("Please enter a correct username and password")
    login.sign_in("desk", "not-the-password")
    expect(login.error).to_contain_text(
        re.compile(
            r"Too many wrong passwords .* Try again after \d+:\d\d [ap]\.m\. \w+ \(in 15 minutes\)"
        )
    )
    login.sign_in("desk", E2E_PASSWORD)
    expect(login.error).to_contain_text("Try again after")
    expect(page.get_by_label("Username")).to_have_value("desk")
