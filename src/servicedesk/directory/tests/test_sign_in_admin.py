"""Admins set the directory group rules and the roles that need two-factor sign-in; a rule that
grants nothing, or a role required twice, is refused beside the field and nothing is saved."""

from __future__ import annotations

import pytest
from django.test import Client

from servicedesk.directory.choices import Role
from servicedesk.directory.models import DirectoryGroupRule, Person, TwoFactorRequirement


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    admin = Person.objects.create(
        username="root", role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    return client


def test_an_admin_maps_a_directory_group_to_a_role(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/directory/directorygrouprule/add/",
        {"source": "ldap", "directory_group": "sd-agents", "role": Role.AGENT},
    )
    assert response.status_code == 302
    rule = DirectoryGroupRule.objects.get()
    assert (rule.source, rule.directory_group, rule.role) == ("ldap", "sd-agents", Role.AGENT)


def test_a_rule_that_grants_nothing_is_refused(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/directory/directorygrouprule/add/",
        {"source": "", "directory_group": "sd-agents", "role": ""},
    )
    assert response.status_code == 200
    assert "Choose what the group grants: a role, a support group or an agency." in (
        response.content.decode()
    )
    assert not DirectoryGroupRule.objects.exists()


def test_a_rule_without_a_group_is_refused(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/directory/directorygrouprule/add/", {"directory_group": "", "role": Role.AGENT}
    )
    assert "This field is required" in response.content.decode()
    assert not DirectoryGroupRule.objects.exists()


def test_an_admin_requires_two_factor_sign_in_for_a_role_once(admin_client: Client) -> None:
    url = "/admin/directory/twofactorrequirement/add/"
    assert admin_client.post(url, {"role": Role.ADMIN}).status_code == 302
    again = admin_client.post(url, {"role": Role.ADMIN})
    assert "already exists" in again.content.decode()
    unknown = admin_client.post(url, {"role": "wizard"})
    assert "Select a valid choice" in unknown.content.decode()
    assert list(TwoFactorRequirement.objects.values_list("role", flat=True)) == [Role.ADMIN]
