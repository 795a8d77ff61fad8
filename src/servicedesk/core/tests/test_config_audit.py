"""Audit of configuration: every change of a registered model, by any door, is one entry with
who, what, before and after; entries can be neither changed nor deleted."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.conftest import Org
from servicedesk.core.audit import acting_as
from servicedesk.core.models import AppendOnlyError, ConfigChange
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.mail.models import Mailbox
from servicedesk.sla.models import BusinessCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_person() -> Person:
    return Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)


@pytest.fixture
def admin_client(admin_person: Person) -> Client:
    client = Client()
    client.force_login(admin_person)
    return client


def test_editing_a_matrix_cell_in_the_admin_writes_one_entry_that_cannot_be_changed(
    admin_client: Client, admin_person: Person
) -> None:
    cell = PriorityMatrixCell.objects.get(impact="multi_agency", severity="outage")
    assert cell.priority == "p1"
    before = ConfigChange.objects.count()

    response = admin_client.post(
        f"/admin/catalog/prioritymatrixcell/{cell.pk}/change/",
        {"impact": "multi_agency", "severity": "outage", "priority": "p2"},
    )

    assert response.status_code == 302
    assert ConfigChange.objects.count() == before + 1
    entry = ConfigChange.objects.latest("id")
    assert (entry.actor, entry.via, entry.model, entry.action) == (
        admin_person,
        "admin",
        "catalog.prioritymatrixcell",
        "changed",
    )
    assert entry.object_id == str(cell.pk)
    assert entry.changes == {"priority": ["p1", "p2"]}

    entry.changes = {"priority": ["p1", "p1"]}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ConfigChange.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_configchange SET via = 'forged' WHERE id = %s", [entry.pk])
    assert ConfigChange.objects.get(pk=entry.pk).changes == {"priority": ["p1", "p2"]}


def test_the_admin_lists_entries_read_only_and_filters_by_model_and_person(
    admin_client: Client, admin_person: Person
) -> None:
    with acting_as(admin_person):
        BusinessCalendar.objects.create(
            name="Night shift", time_zone="UTC", weekly_hours={"0": [["20:00", "24:00"]]}
        )
    listing = admin_client.get(
        "/admin/core/configchange/",
        {"model": "sla.businesscalendar", "actor__id__exact": str(admin_person.pk)},
    )
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "Night shift" in page
    assert "Add configuration change" not in page
    entry = ConfigChange.objects.get(model="sla.businesscalendar")
    detail = admin_client.get(f"/admin/core/configchange/{entry.pk}/change/").content.decode()
    assert "20:00" in detail and "Save" not in detail
    assert admin_client.post(f"/admin/core/configchange/{entry.pk}/delete/").status_code == 403


def test_a_service_call_outside_a_request_names_its_actor_and_a_secret_is_masked(
    admin_person: Person,
) -> None:
    mailbox = Mailbox.objects.create(name="Desk", address="desk@example.org", imap_password="pw-1")
    with acting_as(admin_person, via="command"):
        mailbox.imap_password = "pw-2"
        mailbox.imap_host = "imap.example.org"
        mailbox.save()

    entry = ConfigChange.objects.filter(model="mail.mailbox").latest("id")
    assert (entry.actor, entry.via) == (admin_person, "command")
    assert entry.changes == {
        "imap_host": ["", "imap.example.org"],
        "imap_password": ["********", "********"],
    }
    created = ConfigChange.objects.filter(model="mail.mailbox").earliest("id")
    assert created.action == "created" and created.actor is None and created.via == "system"
    assert "pw-1" not in str(created.changes)


def test_fetch_bookkeeping_is_not_configuration() -> None:
    mailbox = Mailbox.objects.create(name="Desk", address="desk@example.org")
    count = ConfigChange.objects.count()
    mailbox.last_error = "timeout"
    mailbox.save()
    assert ConfigChange.objects.count() == count


def test_group_membership_and_a_role_change_are_recorded(org: Org, admin_person: Person) -> None:
    group = SupportGroup.objects.create(name="Databases", tier=Tier.L2)
    with acting_as(admin_person):
        group.members.add(org.desk)
        org.network.support_groups.add(group)  # the same relation, from the person's side
        org.employee.role = Role.AGENT
        org.employee.save()

    memberships = ConfigChange.objects.filter(
        model="directory.supportgroup", object_id=str(group.pk), action="changed"
    )
    assert [entry.changes for entry in memberships.order_by("id")] == [
        {"members": [[], [str(org.desk)]]},
        {"members": [[str(org.desk)], sorted([str(org.desk), str(org.network)])]},
    ]
    role = ConfigChange.objects.get(model="directory.person")
    assert role.changes == {"role": ["requester", "agent"]}
    assert role.object_repr == str(org.employee)


def test_a_change_through_the_api_names_the_token_owner(org: Org) -> None:
    from servicedesk.api.services import token_create

    org.lead.role = Role.ADMIN
    org.lead.save()
    _token, plaintext = token_create(org.lead, "script")
    response = Client().post(
        "/api/v1/webhooks",
        {
            "url": "http://127.0.0.1:9/in",
            "event_types": ["ticket.created"],
            "allow_private": True,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 201, response.content
    entry = ConfigChange.objects.get(model="api.webhooksubscription")
    assert (entry.actor, entry.via, entry.action) == (org.lead, "api", "created")
    assert entry.changes["secret"] == ["", "********"]


def test_signing_in_costs_the_audit_nothing(org: Org, django_assert_num_queries: Any) -> None:
    person = Person.objects.get(pk=org.employee.pk)  # its agency not loaded yet
    with django_assert_num_queries(1):  # the UPDATE of last_login, nothing read, nothing written
        person.save(update_fields=["last_login"])
    assert not ConfigChange.objects.filter(model="directory.person").exists()


def test_an_audited_change_costs_one_read_and_one_insert(django_assert_num_queries: Any) -> None:
    cell = PriorityMatrixCell.objects.get(impact="individual", severity="no_impact")
    cell.priority = "p1" if cell.priority != "p1" else "p2"
    with django_assert_num_queries(3):  # the row as it was, the UPDATE, the entry
        cell.save()
    assert ConfigChange.objects.filter(object_id=str(cell.pk), action="changed").count() == 1


def test_sign_in_settings_are_audited_with_the_provider_secret_masked(
    admin_person: Person,
) -> None:
    from allauth.socialaccount.models import SocialApp

    from servicedesk.directory.models import TwoFactorRequirement

    with acting_as(admin_person, via="admin"):
        app = SocialApp.objects.create(
            provider="openid_connect", provider_id="entra", name="Entra ID", secret="s3cret-1"
        )
        app.secret = "s3cret-2"
        app.save()
        TwoFactorRequirement.objects.create(role=Role.AGENT)

    changed = ConfigChange.objects.filter(model="socialaccount.socialapp").latest("id")
    assert changed.actor == admin_person
    assert changed.changes == {"secret": ["********", "********"]}
    assert "s3cret" not in str(list(ConfigChange.objects.values_list("changes", flat=True)))
    assert ConfigChange.objects.filter(model="directory.twofactorrequirement").exists()
