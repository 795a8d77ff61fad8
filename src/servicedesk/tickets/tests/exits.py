"""The demo organisation with one ticket of each agency, every part of it marked, for the tests
that try every exit (`test_every_route.py`, `test_every_channel.py`).

Service Oklahoma's ticket (filed by the demo `employee`) and the Department of Human Services'
(filed by Kelly Owens) each carry a marked title, public reply, internal note, public file and
file on the internal note. A viewer may see a marker only if the access policy says so: the
markers of a ticket they may not know never, internal ones only as staff who know the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.demo.organisation import WEEKDAYS_7_TO_5, agencies, group_agencies, groups
from servicedesk.demo.organisation import people as demo_people
from servicedesk.directory.choices import Role, Tier
from servicedesk.directory.models import Agency, Person, SupportGroup
from servicedesk.sla.models import BusinessCalendar
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Attachment, Comment, Ticket
from servicedesk.tickets.services import attachment_add, comment_add, ticket_create

ANONYMOUS = "anonymous"
OTHER_AGENCY_AGENT = "other_agency_agent"
# The demo logins, an agent who serves only the other agency, and nobody signed in.
VIEWERS = [ANONYMOUS, "employee", "desk", "network", "lead", "manager", "admin", OTHER_AGENCY_AGENT]
TICKETS = ("sok", "dhs")
# What the policy says each viewer may know (internal notes: the staff among them).
KNOWS: dict[str, set[str]] = {
    ANONYMOUS: set(),
    "employee": {"sok"},  # her own ticket
    "desk": {"sok", "dhs"},  # the desk serves every agency
    "network": {"sok"},  # Network Services serves Service Oklahoma only
    "lead": {"sok", "dhs"},  # the service lead group names no agency
    "manager": {"sok", "dhs"},
    "admin": {"sok", "dhs"},
    OTHER_AGENCY_AGENT: {"dhs"},  # serves Human Services only
}
STAFF = {"desk", "network", "lead", "manager", "admin", OTHER_AGENCY_AGENT}


def markers(ticket: str, part: str) -> list[str]:
    """The marked texts of one ticket's `public` or `internal` part."""
    tag = ticket.upper()
    if part == "public":
        return [f"ZQ{tag}TITLE", f"ZQ{tag}PUBLICREPLY", f"ZQ{tag}PUBLICFILE"]
    return [f"ZQ{tag}INTERNALNOTE", f"ZQ{tag}INTERNALFILE"]


def forbidden_markers(viewer: str) -> list[str]:
    found: list[str] = []
    for ticket in TICKETS:
        if ticket not in KNOWS[viewer]:
            found += markers(ticket, "public")
        if ticket not in KNOWS[viewer] or viewer not in STAFF:
            found += markers(ticket, "internal")
    return found


@dataclass
class Exits:
    people: dict[str, Person]
    tickets: dict[str, Ticket]
    comments: dict[tuple[str, str], Comment] = field(default_factory=dict)
    attachments: dict[tuple[str, str], Attachment] = field(default_factory=dict)

    def person(self, viewer: str) -> Person | None:
        return None if viewer == ANONYMOUS else self.people[viewer]


def _marked_ticket(
    key: str, requester: Person, desk: Person
) -> tuple[Ticket, dict[str, Comment], dict[str, Attachment]]:
    tag = key.upper()
    ticket = ticket_create(
        actor=requester, kind=TicketKind.INCIDENT, short_description=f"ZQ{tag}TITLE printer"
    )
    public = comment_add(ticket, actor=desk, body=f"ZQ{tag}PUBLICREPLY we ordered a part")
    internal = comment_add(ticket, actor=desk, body=f"ZQ{tag}INTERNALNOTE vendor", internal=True)
    files = {
        "public": attachment_add(
            ticket,
            actor=requester,
            upload=SimpleUploadedFile(f"ZQ{tag}PUBLICFILE.txt", f"ZQ{tag}PUBLICFILE".encode()),
        ),
        "internal": attachment_add(
            ticket,
            actor=desk,
            upload=SimpleUploadedFile(f"ZQ{tag}INTERNALFILE.txt", f"ZQ{tag}INTERNALFILE".encode()),
            comment=internal,
        ),
    }
    return ticket, {"public": public, "internal": internal}, files


@pytest.fixture
def exits(db: None) -> Exits:
    # The demo's agencies, people, groups and whom they serve; not its calendars, catalogue or
    # SLA rules, which decide nothing about who may know what (and cost most of the loading).
    calendar = BusinessCalendar.objects.create(
        name="Business hours", time_zone="America/Chicago", weekly_hours=WEEKDAYS_7_TO_5
    )
    people = demo_people(agencies(calendar))
    groups(people)
    group_agencies()
    dhs = Agency.objects.get(code="dhs")
    other = Person.objects.create(
        username="dhsagent",
        first_name="Dana",
        last_name="Hughes",
        email="dhsagent@dhs.example",
        role=Role.AGENT,
        agency=dhs,
    )
    team = SupportGroup.objects.create(name="Human Services field support", tier=Tier.L2)
    team.members.add(other)
    team.agencies.add(dhs)
    people[OTHER_AGENCY_AGENT] = other
    found = Exits(people=people, tickets={})
    for key, requester in (("sok", people["employee"]), ("dhs", people["kowens"])):
        ticket, comments, files = _marked_ticket(key, requester, people["desk"])
        found.tickets[key] = ticket
        for part in ("public", "internal"):
            found.comments[(key, part)] = comments[part]
            found.attachments[(key, part)] = files[part]
    return found
