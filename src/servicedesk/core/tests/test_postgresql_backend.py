"""Our PostgreSQL backend reads instants with psycopg's compiled loader, and reads them right."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from psycopg.pq import Format

from servicedesk.core.postgresql.base import INSTANT_LOADER
from servicedesk.directory.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_postgres")]

TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid


def test_each_cursor_reads_instants_with_psycopgs_compiled_loader() -> None:
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert loader is INSTANT_LOADER
    # The C extension's, which `psycopg[binary]` installs, not Django's Python subclass.
    assert psycopg.pq.__impl__ == "binary"
    assert loader.__module__ == "psycopg_binary._psycopg"


def test_an_instant_comes_back_as_the_same_moment_in_utc() -> None:
    written = datetime(2026, 3, 8, 1, 59, 59, 999_999, tzinfo=ZoneInfo("America/Chicago"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, NULL::timestamptz", [written])
        read, nothing = cursor.fetchone()
    assert read == written
    assert read.tzinfo is UTC
    assert nothing is None


def test_a_models_instant_reads_back_as_written() -> None:
    joined = datetime(2026, 11, 1, 12, 30, tzinfo=ZoneInfo("America/Chicago"))  # back on CST
    Person.objects.create(username="instant", date_joined=joined)
    read = Person.objects.values_list("date_joined", flat=True).get(username="instant")
    assert read == joined == datetime(2026, 11, 1, 18, 30, tzinfo=UTC)
    assert read.tzinfo is UTC
