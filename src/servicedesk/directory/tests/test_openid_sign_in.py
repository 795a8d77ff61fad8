"""Signing in through an OpenID Connect provider: a real one (npm's oidc-provider under node).

Django's test client plays our side; `requests` plays the person's browser at the provider."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from django.contrib.auth.hashers import make_password
from django.test import Client

from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import DirectoryGroupRule, Person, SupportGroup
from tests.servers.fixtures import OIDC_PROVIDER_ID
from tests.servers.openid import PEOPLE, OpenIdProvider


@pytest.fixture
def state_id(openid_provider: OpenIdProvider, db: None) -> SocialApp:
    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id=OIDC_PROVIDER_ID,
        name="State ID",
        client_id=openid_provider.client_id,
        secret=openid_provider.secret,
        settings={"server_url": openid_provider.issuer},
    )


@pytest.fixture
def network() -> SupportGroup:
    team = SupportGroup.objects.create(name="Network", tier=Tier.L2)
    DirectoryGroupRule.objects.create(
        source=OIDC_PROVIDER_ID, directory_group="sd-network-agents", role=Role.AGENT
    )
    DirectoryGroupRule.objects.create(directory_group="sd-network-agents", support_group=team)
    return team


def sign_in(client: Client, login: str) -> str:
    """Starts at our sign-in button, signs in at the provider, comes back; where we send the
    person afterwards."""
    start = client.post(f"/accounts/oidc/{OIDC_PROVIDER_ID}/login/")
    browser = requests.Session()
    location = start.headers["Location"]
    while not location.startswith("http://testserver"):
        answer = browser.get(location, allow_redirects=False, timeout=10)
        if answer.status_code == 200 and 'name="login"' in answer.text:
            form_action = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
            assert form_action is not None
            answer = browser.post(
                urljoin(answer.url, html.unescape(form_action.group(1))),
                data={"prompt": "login", "login": login, "password": "anything"},
                allow_redirects=False,
                timeout=10,
            )
        location = urljoin(answer.url, answer.headers["Location"])
    back = urlsplit(location)
    landed = client.get(f"{back.path}?{back.query}")
    return str(landed.headers.get("Location", ""))


def test_a_new_person_is_created_from_the_claims_with_the_role_their_groups_grant(
    state_id: SocialApp, network: SupportGroup, client: Client
) -> None:
    assert sign_in(client, "olivia") == "/"
    olivia = Person.objects.get(email=PEOPLE["olivia"]["email"])
    assert (olivia.username, olivia.first_name, olivia.last_name) == ("olivia", "Olivia", "Brandt")
    assert olivia.role == Role.AGENT
    assert list(olivia.support_groups.all()) == [network]
    assert not olivia.has_usable_password()
    assert client.get("/").headers["Location"] == "/workspace/"


def test_someone_outside_the_mapped_groups_comes_in_as_a_requester(
    state_id: SocialApp, network: SupportGroup, client: Client
) -> None:
    sign_in(client, "ramon")
    ramon = Person.objects.get(email=PEOPLE["ramon"]["email"])
    assert ramon.role == Role.REQUESTER
    assert client.get("/").headers["Location"] == "/portal/"


def test_a_requester_the_desk_knows_from_mail_becomes_the_same_person(
    state_id: SocialApp, network: SupportGroup, client: Client
) -> None:
    known = Person.objects.create(
        username=PEOPLE["ramon"]["email"],
        email=PEOPLE["ramon"]["email"],
        password=make_password(None),
    )
    sign_in(client, "ramon")
    assert Person.objects.filter(email=PEOPLE["ramon"]["email"]).count() == 1
    assert client.session["_auth_user_id"] == str(known.pk)
    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Ramon", "Diaz")


def test_a_local_account_with_the_same_address_is_never_taken_over(
    state_id: SocialApp, network: SupportGroup, client: Client
) -> None:
    local = Person.objects.create(
        username="olivia",
        email=PEOPLE["olivia"]["email"],
        role=Role.ADMIN,
        password=make_password("break-glass"),
    )
    sign_in(client, "olivia")
    signed_in = Person.objects.get(pk=client.session["_auth_user_id"])
    assert signed_in != local and signed_in.role == Role.AGENT
    local.refresh_from_db()
    assert local.role == Role.ADMIN and local.check_password("break-glass")


def test_the_next_sign_in_follows_the_directory(
    state_id: SocialApp, network: SupportGroup, client: Client
) -> None:
    sign_in(client, "olivia")
    DirectoryGroupRule.objects.filter(directory_group="sd-network-agents").update(
        directory_group="someone-elses-group"
    )
    sign_in(Client(), "olivia")
    olivia = Person.objects.get(email=PEOPLE["olivia"]["email"])
    assert olivia.role == Role.REQUESTER
    assert not olivia.support_groups.exists()
