"""The configuration a write reads is kept per process until the database says it changed,
however it changed: a form, a queryset update that no signal sees, raw SQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from servicedesk.catalog.choices import Impact, Priority, Severity
from servicedesk.catalog.models import PriorityMatrixCell
from servicedesk.catalog.selectors import priority_from_matrix
from servicedesk.conftest import Org
from servicedesk.core.editions import WATCHED, cached, edition_now, one_edition
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.notifications.models import MailTemplate
from servicedesk.notifications.rendering import template_for
from servicedesk.sla.models import SlaRule
from servicedesk.sla.rules import active_rules

pytestmark = pytest.mark.django_db


def _counting_loader() -> tuple[list[int], Any]:
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    return calls, load


def test_what_was_loaded_is_kept_while_the_edition_stands(org: Org) -> None:
    calls, load = _counting_loader()
    with one_edition():
        assert cached("test.kept", load) == 1
    with one_edition():
        assert cached("test.kept", load) == 1
    assert len(calls) == 1


def test_outside_one_edition_everything_is_read_afresh(org: Org) -> None:
    _calls, load = _counting_loader()
    assert cached("test.fresh", load) == 1
    assert cached("test.fresh", load) == 2


def test_a_queryset_update_no_signal_sees_is_still_seen(org: Org) -> None:
    PriorityMatrixCell.objects.update_or_create(
        impact=Impact.INDIVIDUAL, severity=Severity.DEGRADATION, defaults={"priority": Priority.P4}
    )
    with one_edition():
        assert priority_from_matrix(Impact.INDIVIDUAL, Severity.DEGRADATION) == Priority.P4
    PriorityMatrixCell.objects.filter(
        impact=Impact.INDIVIDUAL, severity=Severity.DEGRADATION
    ).update(priority=Priority.P2)
    with one_edition():
        assert priority_from_matrix(Impact.INDIVIDUAL, Severity.DEGRADATION) == Priority.P2


def test_raw_sql_and_deletes_change_the_edition(org: Org) -> None:
    MailTemplate.objects.update_or_create(
        kind="acknowledgement", defaults={"subject_template": "Got it", "text_template": "x"}
    )
    with one_edition():
        assert template_for("acknowledgement").subject == "Got it"
    table = MailTemplate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET subject_template = 'Received'")
    with one_edition():
        assert template_for("acknowledgement").subject == "Received"
    MailTemplate.objects.all().delete()
    with one_edition():
        assert template_for("acknowledgement").subject != "Received"


def test_a_new_rule_is_planned_with_at_once(org: Org) -> None:
    with one_edition():
        before = sum(len(rules) for rules in active_rules().values())
    SlaRule.objects.create(metric="resolution", position=1, name="Everything", minutes=60)
    with one_edition():
        assert sum(len(rules) for rules in active_rules().values()) == before + 1


def test_a_persons_sign_in_leaves_the_edition_a_role_change_does_not(org: Org) -> None:
    edition = edition_now()
    Person.objects.filter(pk=org.employee.pk).update(last_login="2026-01-05T10:00:00Z")
    assert edition_now() == edition
    Person.objects.filter(pk=org.employee.pk).update(role=Role.ADMIN)
    assert edition_now() != edition


def test_a_new_agent_changes_the_edition(org: Org) -> None:
    """The staff pickers are kept by the edition: a new agent must show in them at once."""
    edition = edition_now()
    Person.objects.create(username="new-agent", role=Role.AGENT)
    assert edition_now() != edition


def test_every_watched_table_has_its_trigger(org: Org) -> None:
    """A migration that rebuilds a table (SQLite) drops its triggers; `migrate` puts them back
    after, and this fails if one is missing from the test database."""
    from django.apps import apps

    for label in WATCHED:
        table = apps.get_model(label)._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgname = %s", [f"{table}_edition"]
                )
            else:
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                    [f"{table}_edition%"],
                )
            (found,) = cursor.fetchone()
        assert found == (1 if connection.vendor == "postgresql" else 3), table


def test_an_older_releases_trigger_is_replaced_by_migrate(org: Org) -> None:
    """A database whose person trigger watched fewer columns (an older release) gets the new
    one when `migrate` installs the triggers again: a renamed agent changes the edition."""
    from servicedesk.core.editions import install

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER directory_person_edition_update")
            cursor.execute(
                "CREATE TRIGGER directory_person_edition_update AFTER UPDATE OF role "
                "ON directory_person BEGIN SELECT 1; END"
            )
    install()
    edition = edition_now()
    Person.objects.filter(pk=org.network.pk).update(first_name="Renamed")
    assert edition_now() != edition
