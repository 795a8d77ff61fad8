"""A major incident with 1,000 child incidents: declare (attaching them all), send one update to
everyone affected, resolve (every child resolved, one message per person), then one worker
cycle delivers the mail to a real SMTP server (aiosmtpd) on a free loopback port.

The reports are filed by 800 employees (200 of them filed two), so "one mail per person" is
checked, not assumed. The acceptance: declaring and resolving finish within one worker cycle
(the mail worker runs every 60 s) and each person gets exactly one resolution mail.

Runs on its own database (`BENCH_MAJOR_DATABASE_URL`, default a fresh SQLite file
`var/bench-major.sqlite3`), so `make bench` can call it after the page benchmarks. Writes
`bench/results/major-incident-<vendor>.txt` and `.json`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import django

RESULTS = Path(__file__).resolve().parent / "results"
CHILDREN = int(os.environ.get("BENCH_MAJOR_CHILDREN", "1000"))
WORKER_CYCLE_S = 60.0


def _database_url() -> str:
    from servicedesk.config.env import read_environment

    path = read_environment().data_dir / "bench-major.sqlite3"
    if "BENCH_MAJOR_DATABASE_URL" not in os.environ:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return os.environ.get("BENCH_MAJOR_DATABASE_URL") or f"sqlite:///{path}"


def _setup() -> None:
    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)


def _reports(count: int) -> list[Any]:
    """`count` open incidents on the licensing application, through the ticket services."""
    from servicedesk.catalog.models import Service
    from servicedesk.directory.choices import Role
    from servicedesk.directory.models import Agency, Person
    from servicedesk.tickets.choices import Channel, TicketKind
    from servicedesk.tickets.services import ticket_create

    desk = Person.objects.get(username="desk")
    service = Service.objects.get(name="Driver licensing application")
    agencies = list(Agency.objects.all())
    people_count = count * 4 // 5
    people = [
        Person.objects.create(
            username=f"bench{n}",
            email=f"bench{n}@ok.example",
            role=Role.REQUESTER,
            agency=agencies[n % len(agencies)],
        )
        for n in range(people_count)
    ]
    channels = [Channel.PHONE, Channel.VOICEMAIL, Channel.EMAIL, Channel.PORTAL, Channel.CHAT]
    return [
        ticket_create(
            actor=desk,
            requester=people[n % people_count],
            kind=TicketKind.INCIDENT,
            short_description=f"Licensing application down ({n})",
            channel=channels[n % len(channels)],
            service=service,
        )
        for n in range(count)
    ]


def measure() -> dict[str, Any]:
    _setup()
    # Imported once Django is set up on the benchmark's database.
    from django.conf import settings
    from django.db import connection

    from servicedesk.directory.models import Person
    from servicedesk.notifications.delivery import deliver_all_due
    from servicedesk.notifications.models import OutboundEmail
    from servicedesk.notifications.tests.smtp_server import SmtpServer, free_port
    from servicedesk.outages.choices import Audience, UpdateStage
    from servicedesk.outages.communications import major_incident_update
    from servicedesk.outages.major import major_incident_declare
    from servicedesk.outages.resolution import major_incident_resolve

    desk = Person.objects.get(username="desk")
    parent, *children = _reports(CHILDREN + 1)
    OutboundEmail.objects.all().delete()  # the acknowledgements of the reports

    began = time.perf_counter()
    major = major_incident_declare(
        parent, actor=desk, public_message="The licensing application is down.", children=children
    )
    declare_s = time.perf_counter() - began
    began = time.perf_counter()
    major_incident_update(
        major,
        actor=desk,
        stage=UpdateStage.IDENTIFIED,
        message="The database failed over; restoring.",
        audiences=[Audience.AFFECTED, Audience.STATUS_PAGE, Audience.PARTNERS],
    )
    update_s = time.perf_counter() - began
    began = time.perf_counter()
    resolution = major_incident_resolve(major, actor=desk, message="Restored.")
    resolve_s = time.perf_counter() - began
    queued = OutboundEmail.objects.count()

    sink = SmtpServer(free_port())
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    sink.start()
    try:
        began = time.perf_counter()
        report = deliver_all_due()
        deliver_s = time.perf_counter() - began
    finally:
        sink.stop()
    resolution_mail = Counter(
        address
        for item in sink.received
        if "Resolved" in str(item.message["Subject"])
        for address in item.envelope_to
    )
    people = resolution.sends.get().recipient_count
    return {
        "vendor": connection.vendor,
        "children": len(children),
        "people_affected": people,
        "declare_s": round(declare_s, 2),
        "update_s": round(update_s, 2),
        "resolve_s": round(resolve_s, 2),
        "deliver_s": round(deliver_s, 2),
        "declare_and_resolve_s": round(declare_s + resolve_s, 2),
        "worker_cycle_s": WORKER_CYCLE_S,
        "within_one_cycle": declare_s + resolve_s < WORKER_CYCLE_S,
        "mail_queued": queued,
        "mail_sent": report.sent,
        "resolution_mail_recipients": len(resolution_mail),
        "most_resolution_mails_to_one_address": max(resolution_mail.values(), default=0),
    }


def write(figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    name = f"major-incident-{figures['vendor']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
    lines = [
        f"Major incident with {figures['children']:,} child incidents on {figures['vendor']} "
        f"({figures['people_affected']:,} people affected)",
        f"  declare (attach all, tell the team): {figures['declare_s']:>7.2f} s",
        f"  one update to everyone affected:     {figures['update_s']:>7.2f} s",
        f"  resolve (every child, one message):  {figures['resolve_s']:>7.2f} s",
        f"  one worker cycle delivering the mail: {figures['deliver_s']:>6.2f} s "
        f"({figures['mail_sent']:,} sent of {figures['mail_queued']:,} queued)",
        f"  declare + resolve within one {figures['worker_cycle_s']:.0f} s worker cycle: "
        f"{'yes' if figures['within_one_cycle'] else 'NO'}",
        f"  resolution mail: {figures['resolution_mail_recipients']:,} addresses, at most "
        f"{figures['most_resolution_mails_to_one_address']} each",
    ]
    path = RESULTS / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> int:
    figures = measure()
    print(write(figures).read_text())
    ok = figures["within_one_cycle"] and figures["most_resolution_mails_to_one_address"] == 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
