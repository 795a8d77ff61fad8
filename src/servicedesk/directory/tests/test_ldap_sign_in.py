"""Signing in with a directory password, against a real OpenLDAP server (slapd)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Agency, DirectoryGroupRule, Person, SupportGroup
from tests.servers.directory import DIRECTORY_PASSWORD, Directory


@pytest.fixture
def directory(ldap_directory: Directory, settings, db: None) -> Directory:
    for name, value in ldap_directory.settings().items():
        setattr(settings, name, value)
    return ldap_directory


@pytest.fixture
def rules() -> SupportGroup:
    network = SupportGroup.objects.create(name="Network", tier=Tier.L2)
    revenue = Agency.objects.create(name="Revenue", code="rev")
    DirectoryGroupRule.objects.create(source="ldap", directory_group="sd-agents", role=Role.AGENT)
    DirectoryGroupRule.objects.create(directory_group="sd-network-team", support_group=network)
    DirectoryGroupRule.objects.create(directory_group="staff-everyone", agency=revenue)
    return network


def sign_in(client: Client, username: str, password: str) -> str:
    response = client.post("/accounts/login/", {"login": username, "password": password})
    return response.headers.get("Location", "")


def test_a_directory_person_is_created_with_the_role_and_groups_their_groups_grant(
    directory: Directory, rules: SupportGroup, client: Client
) -> None:
    assert sign_in(client, "dana", DIRECTORY_PASSWORD) == "/"
    dana = Person.objects.get(username="dana")
    assert (dana.first_name, dana.last_name, dana.email) == (
        "Dana",
        "Whitfield",
        "dana.whitfield@state.example",
    )
    assert dana.role == Role.AGENT
    assert list(dana.support_groups.all()) == [rules]
    assert dana.agency is not None and dana.agency.code == "rev"
    assert not dana.has_usable_password()
    assert client.get("/").headers["Location"] == "/workspace/"


def test_leaving_a_directory_group_takes_its_role_and_support_group_away_at_next_sign_in(
    directory: Directory, rules: SupportGroup, client: Client
) -> None:
    sign_in(client, "dana", DIRECTORY_PASSWORD)
    DirectoryGroupRule.objects.filter(directory_group__in=["sd-agents", "sd-network-team"]).update(
        directory_group="someone-elses-group"
    )
    sign_in(Client(), "dana", DIRECTORY_PASSWORD)
    dana = Person.objects.get(username="dana")
    assert dana.role == Role.REQUESTER
    assert not dana.support_groups.exists()


def test_without_rules_the_directory_leaves_roles_to_the_admins(
    directory: Directory, client: Client
) -> None:
    sign_in(client, "theo", DIRECTORY_PASSWORD)
    theo = Person.objects.get(username="theo")
    theo.role = Role.MANAGER
    theo.save()
    sign_in(Client(), "theo", DIRECTORY_PASSWORD)
    theo.refresh_from_db()
    assert theo.role == Role.MANAGER


def test_a_wrong_directory_password_signs_nobody_in(directory: Directory, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "dana", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert not Person.objects.filter(username="dana").exists()


def test_a_local_account_is_never_taken_over_by_a_directory_entry_of_its_name(
    directory: Directory, client: Client
) -> None:
    """The directory has a `desk` too, with its own password: the break-glass rule."""
    Person.objects.create(username="desk", role=Role.ADMIN, password=make_password("local-pw-9"))
    assert sign_in(client, "desk", DIRECTORY_PASSWORD) == ""
    desk = Person.objects.get(username="desk")
    assert desk.role == Role.ADMIN and desk.check_password("local-pw-9")
    assert sign_in(client, "desk", "local-pw-9") == "/"


def test_a_local_account_signs_in_when_the_directory_is_down(settings, db: None) -> None:
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    Person.objects.create(username="root", role=Role.ADMIN, password=make_password("break-glass"))
    assert sign_in(Client(), "root", "break-glass") == "/"
