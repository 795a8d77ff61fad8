"""Bare endpoints the benchmarks compare the app with, served only by the benchmark's gunicorn.

They go through the same server (ASGI, as served) and middleware as every page (`bench.settings`
adds them in front of the app's own URLs), but do the least a write or a poll can do:

- `POST /bench/bare/insert`: read a JSON body and insert one row in a table of its own, in a
  transaction: the floor under `POST /api/v1/tickets`;
- `GET /bench/bare/lookup/<number>`: one indexed look-up of a ticket's version by number, no
  session, no template: the floor under a live page's unchanged answer.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

TABLE = "bench_bare_row"
CREATE_TABLE = {
    "sqlite": f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)",
    "postgresql": f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
}


def ensure_table() -> None:
    """The bare insert's table, outside the app's migrations (the product knows nothing of it)."""
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE[connection.vendor])


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (body, created_at) VALUES (%s, %s) RETURNING id",
            [str(body.get("short_description", "")), timezone.now()],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


@require_GET
def bare_lookup(request: HttpRequest, number: str) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM tickets_ticket WHERE number = %s", [number])
        found = cursor.fetchone()
    return HttpResponse(status=204 if found else 404)


urlpatterns = [
    path("bench/bare/insert", bare_insert),
    path("bench/bare/lookup/<str:number>", bare_lookup),
]
