"""What one request costs inside: its queries, counted and the slowest timed, in-process."""

from __future__ import annotations

import time


def query_profile(username: str | None, path: str) -> tuple[int, float, str] | None:
    """(queries, slowest ms, slowest SQL) for one in-process request: what a page costs inside."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from servicedesk.directory.models import Person

    client = Client()
    if username:
        client.force_login(Person.objects.get(username=username))
    client.get(path)  # warm caches (content types, templates) so they are not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    if response.status_code != 200 or not reads:
        return None
    timed = [(_time_query(sql), sql) for sql in reads]
    slowest_ms, slowest_sql = max(timed)
    return len(captured.captured_queries), slowest_ms, slowest_sql


def _time_query(sql: str) -> float:
    """Best of three, fetching every row: Django times only `execute`, and SQLite does most of
    its work while rows are fetched."""
    from django.db import connection

    best = float("inf")
    for _ in range(3):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            best = min(best, (time.perf_counter() - started) * 1000)
    return best
