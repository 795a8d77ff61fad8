"""Fixtures shared by every test under src/: a small organisation built through the models."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from pytest_django import DjangoDbBlocker

from servicedesk.catalog.models import RequestType, Service
from servicedesk.directory.choices import Network, Role, Tier
from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, Person, SupportGroup


@dataclass
class Org:
    agency: Agency
    other_agency: Agency
    fiber: Location
    remote: Location
    employee: Person
    colleague: Person
    stranger: Person
    desk: Person
    network: Person
    lead: Person
    desk_group: SupportGroup
    network_group: SupportGroup
    service: Service
    password_reset: RequestType
    other_desk: ExternalHelpDesk


def make_person(username: str, role: Role, location: Location) -> Person:
    return Person.objects.create(
        username=username,
        first_name=username.capitalize(),
        email=f"{username}@example.org",
        role=role,
        agency=location.agency,
        location=location,
    )


@pytest.fixture
def org(db: None) -> Org:
    agency = Agency.objects.create(name="Service Oklahoma", code="sok")
    other_agency = Agency.objects.create(name="Human Services", code="dhs")
    fiber = Location.objects.create(name="HQ", agency=agency, network=Network.STATE_FIBER)
    remote = Location.objects.create(name="Guymon", agency=agency, network=Network.REMOTE)
    other_place = Location.objects.create(name="Sequoyah", agency=other_agency)
    desk = make_person("desk", Role.AGENT, fiber)
    network = make_person("network", Role.AGENT, fiber)
    lead = make_person("lead", Role.SERVICE_LEAD, fiber)
    desk_group = SupportGroup.objects.create(name="Service Desk", tier=Tier.SERVICE_DESK)
    desk_group.members.add(desk)
    network_group = SupportGroup.objects.create(name="Network", tier=Tier.L2, lead=network)
    network_group.members.add(network)
    return Org(
        agency=agency,
        other_agency=other_agency,
        fiber=fiber,
        remote=remote,
        employee=make_person("employee", Role.REQUESTER, fiber),
        colleague=make_person("colleague", Role.REQUESTER, remote),
        stranger=make_person("stranger", Role.REQUESTER, other_place),
        desk=desk,
        network=network,
        lead=lead,
        desk_group=desk_group,
        network_group=network_group,
        service=Service.objects.create(name="Network", default_group=network_group),
        password_reset=RequestType.objects.create(
            slug="password-reset", name="Password reset", default_priority="p1"
        ),
        other_desk=ExternalHelpDesk.objects.create(
            name="Tax Commission Help Desk", phone="(405) 555-0101", email="help@tax.example"
        ),
    )


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The demo `make run` loads, loaded once for a module's tests on each test process instead
    of once per test: a load took 20 s on PostgreSQL in CI. Each test runs inside it in a
    savepoint of its own (`django_db`) and the load is rolled back after the module's last test.
    Only for a module whose every test wants the demo: its other tests would find it there too."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")
