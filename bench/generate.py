"""Build a realistic service desk database of N tickets for benchmarks.

    python -m bench.generate --tickets 100000 [--database-url postgres://...] [--seed 1]

Loads the demo organisation (not its tickets), adds ~2,000 requesters and ~40 agents, then
writes N tickets spread over two years with comments, affected people and a creation history
entry each. Migrations must already have run on the target database.

This is a benchmark data generator: it bypasses `tickets.services` and writes rows with
bulk_create, because going through the services (one transaction, several queries and a history
snapshot per change) would take hours for 100,000 tickets. It keeps the invariants the services
guarantee that pages and later services rely on: numbers are reserved from `NumberCounter` in
the same transaction, assignees belong to their group, priorities come from the matrix, and
created <= resolved <= closed <= now. Intermediate state changes are not written to history.
"""

# ruff: noqa: E402  (models can only be imported once Django is set up, which needs the CLI args)

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass

import django
from django.apps import apps


def _setup_django_from_command_line() -> None:
    """`python -m bench.generate` arrives here before Django is set up; pytest and bench.run not."""
    if apps.ready:
        return
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--database-url")
    known, _ = parser.parse_known_args()
    if known.database_url:
        os.environ["DATABASE_URL"] = known.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    django.setup()


_setup_django_from_command_line()

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench import population, writers
from bench.clocks import ClockPlanner
from bench.ticket_factory import TicketFactory, Timeline
from bench.writers import Dependants
from servicedesk.demo.organisation import DEMO_PASSWORD
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import NumberCounter, Ticket, TicketHistory
from servicedesk.tickets.numbering import FIRST_NUMBER, format_number

BATCH_SIZE = 5_000


@dataclass(frozen=True)
class GenerateReport:
    tickets: int
    comments: int
    history_entries: int
    affected_links: int
    clocks: int
    people_added: int
    seconds: float
    vendor: str


@dataclass
class Totals:
    comments: int = 0
    history_entries: int = 0
    affected_links: int = 0
    clocks: int = 0


def reserve_numbers(kind: TicketKind, count: int) -> list[str]:
    """Bump the kind's counter by `count` in the caller's transaction and return the numbers,
    so that tickets created later through the services continue after these."""
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(
        kind=kind.value, defaults={"last": FIRST_NUMBER - 1}
    )
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [format_number(kind, value) for value in range(first, first + count)]


def _creation_entry(ticket: Ticket, field: str, after: str) -> TicketHistory:
    """A history entry of the ticket's filing, as `ticket_create` writes it."""
    return TicketHistory(
        ticket_id=ticket.pk,
        actor_id=ticket.requested_by_id,
        at=ticket.created_at,
        action="ticket.create",
        field=field,
        after=after,
    )


def _dependants(factory: TicketFactory, planner: ClockPlanner, tickets: list[Ticket]) -> Dependants:
    """Comments, history, affected people and clocks of tickets that have their ids."""
    through = Ticket.affected_people.through
    rows = Dependants()
    for ticket in tickets:
        rows.comments += factory.comments(ticket)
        rows.clocks += planner.clocks(ticket)
        rows.history.append(_creation_entry(ticket, "number", ticket.number))
        people = factory.affected(ticket)
        if people:  # the service records affected people at creation in a second entry
            rows.links += [through(ticket_id=ticket.pk, person_id=pk) for pk in people]
            rows.history.append(
                _creation_entry(ticket, "affected_people", factory.org.usernames(people))
            )
    return rows


def _write_batch(
    factory: TicketFactory,
    planner: ClockPlanner,
    plans: list[tuple[TicketKind, TicketState, str, Timeline]],
    totals: Totals,
) -> None:
    with transaction.atomic():
        kinds = Counter(kind for kind, *_ in plans)
        numbers = {kind: iter(reserve_numbers(kind, count)) for kind, count in kinds.items()}
        tickets = writers.save_tickets(
            [factory.ticket(next(numbers[plan[0]]), *plan) for plan in plans]
        )
        rows = _dependants(factory, planner, tickets)
        writers.save_dependants(rows)
    totals.comments += len(rows.comments)
    totals.history_entries += len(rows.history)
    totals.affected_links += len(rows.links)
    totals.clocks += len(rows.clocks)


def generate(tickets: int, seed: int = 1, batch_size: int = BATCH_SIZE) -> GenerateReport:
    started = time.perf_counter()
    rng = random.Random(seed)
    # One hash for everyone: hashing 2,000 passwords would take minutes by design.
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        org, people_added = population.build(rng, password)
    now = timezone.now()
    factory = TicketFactory(org, rng, now)
    planner = ClockPlanner(now)
    plans = factory.plan(tickets)
    totals = Totals()
    for start in range(0, tickets, batch_size):
        _write_batch(factory, planner, plans[start : start + batch_size], totals)
        done = min(start + batch_size, tickets)
        print(
            f"  {done:>9,}/{tickets:,} tickets  {time.perf_counter() - started:6.1f} s", flush=True
        )
    writers.settle()
    return GenerateReport(
        tickets=tickets,
        comments=totals.comments,
        history_entries=totals.history_entries,
        affected_links=totals.affected_links,
        clocks=totals.clocks,
        people_added=people_added,
        seconds=time.perf_counter() - started,
        vendor=connection.vendor,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--database-url", help="Read before Django starts; see the top.")
    args = parser.parse_args(argv)
    print(
        f"Generating {args.tickets:,} tickets into {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )
    report = generate(args.tickets, seed=args.seed, batch_size=args.batch_size)
    print(
        f"Done in {report.seconds:.1f} s: {report.tickets:,} tickets, "
        f"{report.comments:,} comments, {report.history_entries:,} history entries, "
        f"{report.affected_links:,} affected people, {report.clocks:,} SLA clocks, "
        f"{report.people_added:,} people added."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
