"""What every connection of ours asks PostgreSQL for, whatever the process."""

import pytest
from django.db import connection

from servicedesk.config.settings import PARALLEL_SETUP_COST


@pytest.mark.django_db
@pytest.mark.usefixtures("on_postgres")
def test_a_connection_compiles_nothing_and_starts_parallel_workers_only_for_long_reads() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('parallel_setup_cost')")
        jit, parallel_setup = cursor.fetchone()
    assert jit == "off"
    # Ten times PostgreSQL's default: a queue page's short walk is not split between workers.
    assert float(parallel_setup) == PARALLEL_SETUP_COST >= 10 * 1_000
