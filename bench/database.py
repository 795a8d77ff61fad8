"""The benchmark database: which one, and filled up to the tickets asked for.

SQLite `var/bench.sqlite3`, or `BENCH_DATABASE_URL`; generated once by `bench.generate`, reused
(and only topped up) afterwards.
"""

from __future__ import annotations

import os

import django

DEFAULT_TICKETS = 100_000


def bench_database_url() -> str:
    from servicedesk.config.env import read_environment

    default = f"sqlite:///{read_environment().data_dir / 'bench.sqlite3'}"
    return os.environ.get("BENCH_DATABASE_URL") or default


def prepare_database(url: str, tickets: int) -> tuple[str, int]:
    """Set Django up on the benchmark database and fill it up to `tickets`; (vendor, count)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    django.setup()
    # Imported here: models can only be imported once Django is set up on the right database.
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from servicedesk.demo.organisation import group_agencies
    from servicedesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    have = Ticket.objects.count()
    if have < tickets:
        print(f"Benchmark database has {have:,} tickets; generating {tickets - have:,} more.")
        report = generate(tickets - have)
        print(f"Generated {report.tickets:,} tickets in {report.seconds:.1f} s.")
    else:
        print(f"Reusing the benchmark database: {have:,} tickets.")
    # A database generated before groups served agencies has none: every agent would see
    # every ticket and the scoped pages would measure nothing.
    group_agencies()
    count = Ticket.objects.count()
    vendor = connection.vendor
    connection.close()  # gunicorn's workers open their own
    return vendor, count
