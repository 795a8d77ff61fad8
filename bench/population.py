"""The people and catalogue behind benchmark tickets: the demo organisation plus a crowd.

Adds requesters across the demo agencies and agents across its support groups with bulk_create,
then holds everything the ticket generator draws from as plain ids, so that building 100,000
tickets needs no further queries.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from servicedesk.catalog.models import RequestType, Service
from servicedesk.demo.organisation import load_organisation
from servicedesk.demo.tickets import INCIDENTS, REQUESTS
from servicedesk.directory.choices import Role
from servicedesk.directory.models import ExternalHelpDesk, Location, Person, SupportGroup
from servicedesk.tickets.choices import Channel, TicketKind, TicketState

REQUESTERS = 2_000
REQUESTER_PREFIX = "bench-req-"
AGENT_PREFIX = "bench-agent-"
# Where the crowd works, by demo location key: the two big agencies file most tickets.
REQUESTER_SPREAD = {"sok-okc": 35, "dhs-okc": 35, "omes-hq": 20, "sok-guymon": 10}
# Extra agents per demo group key, about forty in all; the L1 desk is the largest team.
AGENTS_PER_GROUP = {"desk": 16, "network": 6, "desktop": 6, "applications": 6, "identity": 6}
FIRST_NAMES = "Avery Blake Casey Dana Eli Frankie Gale Harper Indy Jamie Kai Logan Morgan Noel"
LAST_NAMES = "Adams Baker Clark Davis Evans Foster Garcia Hughes Irwin Jones Kim Lopez Moore Ng"
DETAILS = [
    "It started this morning and happens every time.",
    "Several colleagues in the office see the same thing.",
    "I restarted the computer twice, it did not help.",
    "This is blocking work at the counter; customers are waiting.",
    "Screenshot of the error message attached in my email.",
    "Not urgent, but please look at it this week.",
    "It worked fine yesterday before the update.",
]
REPLIES = [
    "Thanks for reporting this; I am looking into it now.",
    "Could you tell me the exact error message and when it last happened?",
    "We applied a fix on our side. Please try again and let us know.",
    "This needs the vendor; I have opened a case with them.",
]
REQUESTER_REPLIES = [
    "It happened again just now.",
    "Thanks, that works for me now.",
    "I am out tomorrow; my colleague can let you in.",
]
NOTES = [
    "Checked the logs: timeouts on the upstream switch.",
    "Same cause as last week's tickets from this site.",
    "Waiting on the change window to apply the fix.",
]
RESOLUTIONS = [
    "Fixed and confirmed with the user.",
    "Reset the configuration; working again.",
    "Replaced the faulty part.",
    "Explained how to do it; nothing to fix.",
]


@dataclass(frozen=True)
class Requester:
    pk: int
    agency_id: int | None
    location_id: int | None


@dataclass
class Organisation:
    """Ids and texts the ticket generator draws from, read once."""

    services: dict[str, Service]
    service_groups: dict[str, int]
    request_types: dict[str, RequestType]
    desk_group: int
    members: dict[int, list[int]]
    help_desks: list[int]
    requesters: list[Requester]
    usernames_by_pk: dict[int, str]
    _cumulative_weights: list[float] = field(default_factory=list)
    _by_agency: dict[int | None, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Requesters file very unequal numbers of tickets; weights are fixed per person.
        rng = random.Random(len(self.requesters))
        weights = [rng.lognormvariate(0, 1) for _ in self.requesters]
        self._cumulative_weights = list(itertools.accumulate(weights))
        by_agency: dict[int | None, list[int]] = defaultdict(list)
        for requester in self.requesters:
            by_agency[requester.agency_id].append(requester.pk)
        self._by_agency = dict(by_agency)

    def pick_requester(self, rng: random.Random) -> Requester:
        point = rng.random() * self._cumulative_weights[-1]
        index = min(bisect(self._cumulative_weights, point), len(self.requesters) - 1)
        return self.requesters[index]

    def pick_subject(
        self, rng: random.Random, kind: TicketKind
    ) -> tuple[str, str, RequestType | None]:
        """(short description, service key, request type) in the demo's vocabulary."""
        if kind == TicketKind.REQUEST:
            slug, service_key, text = rng.choice(REQUESTS)
            return text, service_key, self.request_types[slug]
        service_key, text, _, _ = rng.choice(INCIDENTS)
        if kind == TicketKind.PROBLEM:
            return f"Recurring: {text.lower()}", service_key, None
        if kind == TicketKind.TASK:
            return f"Follow-up: {text.lower()}", service_key, None
        return text, service_key, None

    def describe(self, rng: random.Random, text: str, channel: Channel) -> str:
        details = " ".join(rng.sample(DETAILS, k=rng.randint(1, 3)))
        return f"{text}. Reported through {channel.label.lower()}. {details}"

    def desk_agent(self, rng: random.Random) -> int:
        return rng.choice(self.members[self.desk_group])

    def colleagues(
        self, rng: random.Random, requester_id: int, agency_id: int | None, count: int
    ) -> list[int]:
        """Other people from the requester's agency, who are affected too."""
        pool = self._by_agency[agency_id]
        chosen = rng.sample(pool, k=min(count + 1, len(pool)))
        return [pk for pk in chosen if pk != requester_id][:count]

    def usernames(self, pks: list[int]) -> str:
        return ", ".join(sorted(self.usernames_by_pk[pk] for pk in pks))

    def resolution_note(self, rng: random.Random, state: str) -> str:
        if state == TicketState.CANCELLED:
            return "Withdrawn by the requester."
        if state == TicketState.REDIRECTED:
            return ""
        return rng.choice(RESOLUTIONS)

    def comment_body(self, rng: random.Random, *, internal: bool, from_requester: bool) -> str:
        if internal:
            return rng.choice(NOTES)
        return rng.choice(REQUESTER_REPLIES if from_requester else REPLIES)


def _name(index: int) -> tuple[str, str]:
    firsts, lasts = FIRST_NAMES.split(), LAST_NAMES.split()
    return firsts[index % len(firsts)], lasts[(index // len(firsts)) % len(lasts)]


def _new_person(username: str, index: int, role: Role, location: Location, password: str) -> Person:
    first, last = _name(index)
    return Person(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@ok.example",
        role=role,
        agency_id=location.agency_id,
        location_id=location.pk,
        password=password,
    )


def add_people(
    rng: random.Random,
    password: str,
    locations: dict[str, Location],
    support: dict[str, SupportGroup],
) -> int:
    """Create the requesters and agents that are missing; returns how many were created."""
    existing = set(
        Person.objects.filter(username__startswith="bench-").values_list("username", flat=True)
    )
    places, weights = list(REQUESTER_SPREAD), list(REQUESTER_SPREAD.values())
    new = []
    for index in range(REQUESTERS):
        place = rng.choices(places, weights=weights)[0]  # drawn even when skipped: reruns agree
        username = f"{REQUESTER_PREFIX}{index:05d}"
        if username not in existing:
            new.append(_new_person(username, index, Role.REQUESTER, locations[place], password))
    agent_groups: dict[str, str] = {}
    for group_key, count in AGENTS_PER_GROUP.items():
        for n in range(count):
            username = f"{AGENT_PREFIX}{group_key}-{n:02d}"
            agent_groups[username] = group_key
            if username not in existing:
                new.append(_new_person(username, n, Role.AGENT, locations["omes-hq"], password))
    Person.objects.bulk_create(new, batch_size=1000)
    agent_pks = Person.objects.filter(username__in=agent_groups).values_list("username", "pk")
    membership = SupportGroup.members.through
    membership.objects.bulk_create(
        [
            membership(supportgroup_id=support[agent_groups[username]].pk, person_id=pk)
            for username, pk in agent_pks
        ],
        ignore_conflicts=True,
    )
    return len(new)


def build(rng: random.Random, password: str) -> tuple[Organisation, int]:
    """Load the demo organisation as `load_demo` does, without its tickets, plus the crowd."""
    demo = load_organisation()
    support, catalog, kinds = demo.groups, demo.services, demo.request_types
    added = add_people(rng, password, demo.locations, support)

    members: dict[int, list[int]] = defaultdict(list)
    membership = SupportGroup.members.through.objects.values_list("supportgroup_id", "person_id")
    for group_id, person_id in membership.order_by("supportgroup_id", "person_id"):
        members[group_id].append(person_id)
    requesters = Person.objects.filter(role=Role.REQUESTER, is_active=True).order_by("pk")
    org = Organisation(
        services=catalog,
        service_groups={key: service.default_group_id for key, service in catalog.items()},
        request_types=kinds,
        desk_group=support["desk"].pk,
        members={group.pk: members[group.pk] for group in support.values()},
        help_desks=list(ExternalHelpDesk.objects.order_by("pk").values_list("pk", flat=True)),
        requesters=[
            Requester(pk, agency, location)
            for pk, agency, location in requesters.values_list("pk", "agency_id", "location_id")
        ],
        usernames_by_pk=dict(Person.objects.values_list("pk", "username")),
    )
    return org, added
