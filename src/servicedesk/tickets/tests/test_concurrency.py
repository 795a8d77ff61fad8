"""Concurrent writers, on real connections: one thread per creator, as gunicorn workers would be."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.errors import StaleTicketError
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_update

CREATORS = 8
TICKETS_EACH = 50


def _create_many(org: Org, creator: int) -> list[str]:
    try:
        return [
            ticket_create(
                actor=org.desk,
                requester=org.employee,
                kind=TicketKind.INCIDENT,
                short_description=f"creator {creator} ticket {n}",
            ).number
            for n in range(TICKETS_EACH)
        ]
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_creators_get_distinct_numbers_and_lose_nothing(org: Org) -> None:
    with ThreadPoolExecutor(max_workers=CREATORS) as pool:
        batches = list(pool.map(lambda c: _create_many(org, c), range(CREATORS)))
    numbers = [number for batch in batches for number in batch]
    assert len(numbers) == CREATORS * TICKETS_EACH
    assert len(set(numbers)) == len(numbers)
    assert Ticket.objects.count() == CREATORS * TICKETS_EACH
    expected = {f"INC{n:07d}" for n in range(1001, 1001 + CREATORS * TICKETS_EACH)}
    assert set(Ticket.objects.values_list("number", flat=True)) == expected
    assert connection.vendor in {"postgresql", "sqlite"}


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_edits_of_one_version_exactly_one_wins(org: Org) -> None:
    ticket = ticket_create(
        actor=org.desk, requester=org.employee, kind=TicketKind.INCIDENT, short_description="x"
    )

    def edit(text: str) -> str:
        try:
            ticket_update(
                ticket, actor=org.desk, version=ticket.version, changes={"short_description": text}
            )
            return "saved"
        except StaleTicketError:
            return "stale"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(edit, ["first", "second"]))
    assert sorted(outcomes) == ["saved", "stale"]
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.version == ticket.version + 1
    assert stored.short_description in {"first", "second"}
    assert stored.state == TicketState.NEW
