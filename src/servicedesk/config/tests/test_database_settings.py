"""What every connection of ours asks PostgreSQL for, whatever the process."""

import pytest
from django.db import connection

from servicedesk.config.settings import PARALLEL_SETUP_COST
from servicedesk.directory.models import Person


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_a_connection_compiles_nothing_and_starts_parallel_workers_only_for_long_reads() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('parallel_setup_cost')")
        jit, parallel_setup = cursor.fetchone()
    assert jit == "off"
    # Ten times PostgreSQL's default: a queue page's short walk is not split between workers.
    assert float(parallel_setup) == PARALLEL_SETUP_COST >= 10 * 1_000


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_a_statement_bound_on_the_client_is_never_prepared() -> None:
    """Only kept statements are prepared (`core/server_binding.py`); docs/deploy.md tells
    PgBouncer's operators which."""
    for _ in range(8):  # given a `prepare_threshold` of 5, psycopg would prepare this one
        Person.objects.filter(pk=0).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        (prepared,) = cursor.fetchone()
    assert prepared == 0
