"""Inbound mail throughput: messages per second parsed, threaded and stored.

    python -m bench.mail_ingest [--messages 600] [--database-url URL]

Builds a small organisation in a database of its own (by default a fresh
`var/bench-mail.sqlite3`; a PostgreSQL URL must name a database kept for this benchmark, since
it is flushed), then feeds generated messages through `mail.ingest.receive`, exactly as the IMAP
fetcher and the SMTP receiver do: store the raw bytes (commit), parse, screen, thread, file a
ticket or a comment with its history, SLA clocks and outbox rows (commit).

The mix: 40 % new mails, 25 % replies carrying our signed token, 15 % replies with only the
number in the subject, 10 % out-of-office auto-replies, 10 % real-world oddities (the mail
corpus of `tests/fixtures/mail/corpus/`: unquoted boundaries, unknown charsets, HTML-only,
forwarded messages, winmail.dat, uuencode, NUL characters, …, each with a sender of ours and a
fresh Message-ID). The baseline, timed in the same run on the same bytes, is parsing alone
(body, charsets and attachments decoded): the ratio says what threading and storing cost on
top of reading the mail at all. Last, a batch of new mails goes through the real SMTP
receiver (aiosmtpd on a free loopback port, `smtplib` as the sender): the rate a mail server
delivering to us sees, 250 answered only once stored and processed.
Writes `bench/results/mail_ingest.txt` (the latest run) and `mail_ingest-<database>.txt`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT_ROOT / "bench" / "results" / "mail_ingest.txt"
REQUESTERS = 50
MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Timing:
    label: str
    messages: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def _ensure_postgres_database(database_url: str) -> None:
    """Create the benchmark's own PostgreSQL database if it is not there yet."""
    import psycopg
    from psycopg import sql

    target = urlsplit(database_url)
    name = target.path.lstrip("/")
    maintenance = urlunsplit(target._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup(database_url: str) -> str:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    elif database_url.startswith(("postgres://", "postgresql://")):
        _ensure_postgres_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", verbosity=0, interactive=False)
    return connection.vendor


def _organisation() -> tuple[Any, list[Any]]:
    from servicedesk.directory.choices import Role, Tier
    from servicedesk.directory.models import Agency, Person, SupportGroup
    from servicedesk.mail.models import Mailbox

    agency = Agency.objects.create(name="Bench Agency", code="bench")
    group = SupportGroup.objects.create(name="Bench desk", tier=Tier.SERVICE_DESK)
    agent = Person.objects.create(username="agent", email="agent@bench.example", role=Role.AGENT)
    group.members.add(agent)
    people = [
        Person.objects.create(
            username=f"employee{index}",
            email=f"employee{index}@bench.example",
            role=Role.REQUESTER,
            agency=agency,
        )
        for index in range(REQUESTERS)
    ]
    mailbox = Mailbox.objects.create(
        name="Bench", address="desk@bench.example", agency=agency, assignment_group=group
    )
    return mailbox, people


def _mail(sender: str, subject: str, body: str, message_id: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: desk@bench.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}@bench.example>\r\nMIME-Version: 1.0\r\n{extra}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _new_mails(people: list[Any], count: int, rng: random.Random) -> list[bytes]:
    body = "The shared drive is unreachable since 9:00.\nSeveral of us are affected.\n\n-- \nBench"
    return [
        _mail(rng.choice(people).email, f"Drive issue {index}", body, f"new-{index}")
        for index in range(count)
    ]


def _follow_ups(tickets: list[Any], count: int, rng: random.Random) -> list[bytes]:
    from servicedesk.notifications.message_ids import thread_root_id

    quoted = "\n\nOn Mon, Service Desk wrote:\n> -- Reply above this line --\n> Hello"
    messages: list[bytes] = []
    for index in range(count):
        ticket = rng.choice(tickets)
        sender = ticket.requester.email
        subject = f"Re: [{ticket.number}] {ticket.short_description}"
        share = index % 6
        if share < 3:  # token in the headers
            root = thread_root_id(ticket)
            extra = f"In-Reply-To: {root}\r\nReferences: {root}\r\n"
            messages.append(_mail(sender, subject, "Still broken." + quoted, f"t-{index}", extra))
        elif share < 5:  # only the number survived
            messages.append(_mail(sender, subject, "Any news?" + quoted, f"s-{index}"))
        else:  # out of office
            extra = "Auto-Submitted: auto-replied\r\n"
            messages.append(_mail(sender, f"Out of office: {subject}", "Away", f"o-{index}", extra))
    return messages


CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "mail" / "corpus"


def _oddities(people: list[Any], count: int) -> list[bytes]:
    """Corpus messages with our sender and a fresh Message-ID put first (the first of each
    header is the one read)."""
    corpus = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    return [
        (
            f"From: {people[index % len(people)].email}\r\n"
            f"Message-ID: <odd-{index}@bench.example>\r\n"
        ).encode()
        + corpus[index % len(corpus)]
        for index in range(count)
    ]


def _parse_only(messages: list[bytes]) -> Timing:
    from servicedesk.mail.parsing import MalformedMessageError, parse

    started = time.perf_counter()
    for raw in messages:
        with contextlib.suppress(MalformedMessageError):
            parse(raw, max_header_bytes=MAX_HEADER_BYTES)
    return Timing("parse only (baseline)", len(messages), time.perf_counter() - started)


def _ingest(mailbox: Any, messages: list[bytes], label: str, outcomes: Counter[str]) -> Timing:
    from servicedesk.mail.ingest import receive

    started = time.perf_counter()
    for raw in messages:
        outcomes[receive(mailbox, raw).state] += 1
    return Timing(label, len(messages), time.perf_counter() - started)


def _over_smtp(people: list[Any], count: int, outcomes: Counter[str]) -> Timing:
    """New mails sent one after another to the real receiver, as a mail server would."""
    import smtplib
    import socket

    from servicedesk.mail.models import InboundMessage
    from servicedesk.mail.receiving import DeskController, DeskHandler

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = DeskController(DeskHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    before = InboundMessage.objects.count()
    body = "The badge reader at the east door refuses every card."
    try:
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for index in range(count):
                sender = people[index % len(people)].email
                raw = _mail(sender, f"Badge reader {index}", body, f"smtp-{index}")
                client.sendmail(sender, ["desk@bench.example"], raw)
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    for row in InboundMessage.objects.order_by("pk")[before:]:
        outcomes[row.state] += 1
    return Timing("new mail over SMTP (aiosmtpd receiver)", count, seconds)


def run(total: int, database_url: str) -> str:
    vendor = _setup(database_url)
    from django.conf import settings

    from servicedesk.tickets.models import Ticket

    # The benchmark's senders write far more than a person would; the hourly cap would stop them.
    settings.SERVICEDESK_MAIL_SENDER_HOURLY_CAP = total * 10
    rng = random.Random(1)
    mailbox, people = _organisation()
    new = _new_mails(people, int(total * 0.4), rng)
    outcomes: Counter[str] = Counter()
    new_timing = _ingest(mailbox, new, "new mail → ticket", outcomes)
    tickets = list(Ticket.objects.select_related("requester"))
    later = _follow_ups(tickets, int(total * 0.5), rng) + _oddities(
        people, total - len(new) - int(total * 0.5)
    )
    rng.shuffle(later)
    later_timing = _ingest(mailbox, later, "replies, auto-replies, oddities", outcomes)
    everything = new + later
    baseline = _parse_only(everything)
    overall = Timing(
        "all messages (parsed, threaded, stored)",
        len(everything),
        new_timing.seconds + later_timing.seconds,
    )
    over_smtp = _over_smtp(people, max(total // 5, 1), outcomes)
    lines = [
        f"mail ingest benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, database {vendor}, "
        f"nproc {len(os.sched_getaffinity(0))}",
        "",
        f"{'what':<42} {'messages':>8} {'seconds':>8} {'msg/s':>9}",
    ]
    for timing in (baseline, new_timing, later_timing, overall, over_smtp):
        lines.append(
            f"{timing.label:<42} {timing.messages:>8} {timing.seconds:>8.2f} "
            f"{timing.per_second:>9.1f}"
        )
    ratio = baseline.per_second / overall.per_second if overall.per_second else 0.0
    lines += [
        "",
        f"full pipeline is {ratio:.0f}x slower than parsing alone (parse only is the baseline)",
        "outcomes: " + ", ".join(f"{state} {count}" for state, count in sorted(outcomes.items())),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_MAIL_DATABASE_URL")
        or f"sqlite:///{PROJECT_ROOT / 'var' / 'bench-mail.sqlite3'}",
    )
    args = parser.parse_args()
    report = run(args.messages, args.database_url)
    from django.db import connection

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    RESULTS.with_name(f"mail_ingest-{connection.vendor}.txt").write_text(report)
    print(report, end="")


if __name__ == "__main__":
    main()
