"""Ticket numbers taken before a filing's transaction (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.numbering import next_number


@pytest.mark.django_db(transaction=True)
def test_numbers_taken_alone_follow_on_and_leave_the_next_commit_waiting_for_the_disk() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the number inside the filing's transaction")
    first = next_number(TicketKind.INCIDENT)
    second = next_number(TicketKind.INCIDENT)
    assert int(second[3:]) == int(first[3:]) + 1
    # The bump's commit alone skipped the wait for the disk; a filing's commit still waits.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
