"""About sixty demo tickets, made through the ticket services so that each has real history."""

from __future__ import annotations

import random

from servicedesk.catalog.choices import Impact, Severity
from servicedesk.catalog.models import RequestType, Service
from servicedesk.directory.models import ExternalHelpDesk, Person, SupportGroup
from servicedesk.tickets import services
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind, TicketState
from servicedesk.tickets.models import Ticket

INCIDENTS = [
    ("network", "Internet down at the Guymon office", Impact.AGENCY, Severity.OUTAGE),
    (
        "network",
        "Wi-Fi drops every few minutes on the 3rd floor",
        Impact.AGENCY,
        Severity.DEGRADATION,
    ),
    (
        "licensing",
        "Licensing application shows error 500 at checkout",
        Impact.MULTI_AGENCY,
        Severity.OUTAGE,
    ),
    (
        "licensing",
        "Card printer queue stuck in the licensing app",
        Impact.INDIVIDUAL,
        Severity.DEGRADATION,
    ),
    ("workstation", "Laptop will not boot after update", Impact.INDIVIDUAL, Severity.OUTAGE),
    ("workstation", "Second monitor flickers", Impact.INDIVIDUAL, Severity.NO_IMPACT),
    ("email", "Outlook keeps asking for my password", Impact.INDIVIDUAL, Severity.DEGRADATION),
    ("email", "Shared calendar not syncing for the team", Impact.AGENCY, Severity.DEGRADATION),
    ("printing", "Printer in room 210 jams on every job", Impact.INDIVIDUAL, Severity.NO_IMPACT),
    ("phones", "Desk phone has no dial tone", Impact.INDIVIDUAL, Severity.OUTAGE),
    ("identity", "Account locked after password change", Impact.INDIVIDUAL, Severity.OUTAGE),
    ("network", "VPN very slow from home", Impact.INDIVIDUAL, Severity.DEGRADATION),
]
REQUESTS = [
    ("password-reset", "identity", "Reset my password, I forgot it over the weekend"),
    ("access", "identity", "Access to the licensing reports share"),
    ("hardware", "workstation", "New docking station for my laptop"),
    ("software", "workstation", "Install Adobe Acrobat Pro"),
    ("acquisition", "workstation", "Two laptops for new hires starting next month"),
    ("training", "licensing", "Training on the new licensing release"),
    ("question", "email", "How do I set up an out-of-office reply?"),
]
# Where each demo ticket ends up; the walk through the states makes the history real.
ENDINGS = [
    TicketState.NEW,
    TicketState.NEW,
    TicketState.ASSIGNED,
    TicketState.IN_PROGRESS,
    TicketState.AWAITING_CUSTOMER,
    TicketState.AWAITING_VENDOR,
    TicketState.RESOLVED,
    TicketState.CLOSED,
    TicketState.IN_PROGRESS,
    TicketState.ASSIGNED,
]
CHANNELS = [
    Channel.PORTAL,
    Channel.PORTAL,
    Channel.EMAIL,
    Channel.PHONE,
    Channel.CHAT,
    Channel.WALK_IN,
    Channel.MONITORING,
    Channel.VOICEMAIL,
]


def _walk(ticket: Ticket, ending: TicketState, desk: Person, group: SupportGroup) -> Ticket:
    if ending == TicketState.NEW:
        return ticket
    worker = desk if desk in group.members.all() else group.members.first() or desk
    ticket = services.ticket_assign(
        ticket, actor=desk, version=ticket.version, group=group, assignee=worker
    )
    steps = {
        TicketState.ASSIGNED: [],
        TicketState.IN_PROGRESS: [TicketState.IN_PROGRESS],
        TicketState.AWAITING_CUSTOMER: [TicketState.IN_PROGRESS, TicketState.AWAITING_CUSTOMER],
        TicketState.AWAITING_VENDOR: [TicketState.IN_PROGRESS, TicketState.AWAITING_VENDOR],
        TicketState.RESOLVED: [TicketState.IN_PROGRESS, TicketState.RESOLVED],
        TicketState.CLOSED: [TicketState.IN_PROGRESS, TicketState.RESOLVED, TicketState.CLOSED],
    }[ending]
    for state in steps:
        note = "Fixed and confirmed with the user." if state == TicketState.RESOLVED else ""
        ticket = services.ticket_transition(
            ticket, actor=worker, version=ticket.version, to=state, note=note
        )
    if ending != TicketState.ASSIGNED:
        services.comment_add(
            ticket, actor=worker, body="Looking into this now; I will update you shortly."
        )
        services.comment_add(ticket, actor=worker, body="Checked the switch logs.", internal=True)
    return ticket


def load_tickets(
    people: dict[str, Person],
    support: dict[str, SupportGroup],
    catalog: dict[str, Service],
    kinds: dict[str, RequestType],
    target: int = 60,
) -> int:
    """Create the demo tickets unless any ticket exists already; returns how many were made."""
    if Ticket.objects.exists():
        return 0
    rng = random.Random(2025)
    requesters = [p for p in people.values() if not p.is_staff_member]
    desk = people["desk"]
    made: list[Ticket] = []
    incident_count = 0
    for index in range(target):
        requester = people["employee"] if index % 6 == 0 else rng.choice(requesters)
        channel = CHANNELS[index % len(CHANNELS)]
        ending = ENDINGS[index % len(ENDINGS)]
        if index % 3 == 2:
            slug, service_key, text = REQUESTS[index % len(REQUESTS)]
            ticket = services.ticket_create(
                actor=requester if channel == Channel.PORTAL else desk,
                requester=requester,
                kind=TicketKind.REQUEST,
                short_description=text,
                description=f"{text}. Requested through {channel.label.lower()}.",
                channel=channel,
                request_type=kinds[slug],
                service=catalog[service_key],
            )
        else:
            service_key, text, impact, severity = INCIDENTS[incident_count % len(INCIDENTS)]
            incident_count += 1
            triaged = ending != TicketState.NEW
            ticket = services.ticket_create(
                actor=desk if triaged or channel != Channel.PORTAL else requester,
                requester=requester,
                kind=TicketKind.INCIDENT,
                short_description=text,
                description=f"{text}. Reported through {channel.label.lower()}.",
                channel=channel,
                service=catalog[service_key],
                impact=impact if triaged else "",
                severity=severity if triaged else "",
                affected_people=rng.sample(requesters, k=2) if impact != Impact.INDIVIDUAL else (),
            )
        # The justice network desk's escalation procedure: the desk keeps what it can solve itself
        # and forwards the rest to L2.
        forwarded = ticket.assignment_group if index % 5 not in (1, 3) else None
        group = forwarded or support["desk"]
        made.append(_walk(ticket, ending, desk, group))
    _problem_and_tasks(made, people, support)
    _redirect_one(people)
    return Ticket.objects.count()


def _problem_and_tasks(
    made: list[Ticket], people: dict[str, Person], support: dict[str, SupportGroup]
) -> None:
    lead = people["lead"]
    first, second = made[0], made[12]
    services.ticket_link(second, first, actor=people["desk"], kind=LinkKind.DUPLICATE_OF)
    problem = services.ticket_create(
        actor=lead,
        requester=lead,
        kind=TicketKind.PROBLEM,
        channel=Channel.PHONE,
        short_description="Recurring internet outages at remote licensing offices",
        description="Root cause not found yet; outages recur weekly.",
        service=first.service,
        assignment_group=support["network"],
    )
    services.ticket_link(first, problem, actor=lead, kind=LinkKind.CAUSED_BY)
    task = services.ticket_create(
        # Tasks are the desk's own work: the agent who opens one is its requester, so it never
        # shows up in an employee's portal list.
        actor=people["network"],
        requester=people["network"],
        kind=TicketKind.TASK,
        channel=Channel.PHONE,
        short_description="Replace the branch router in Guymon",
        assignment_group=support["network"],
        assignee=people["network"],
    )
    services.ticket_link(task, first, actor=people["network"], kind=LinkKind.CHILD_OF)


def _redirect_one(people: dict[str, Person]) -> None:
    desk = people["desk"]
    ticket = services.ticket_create(
        actor=desk,
        requester=people["kowens"],
        kind=TicketKind.INCIDENT,
        channel=Channel.PHONE,
        short_description="Cannot file a tax return in the Tax Commission portal",
    )
    services.ticket_transition(
        ticket,
        actor=desk,
        version=ticket.version,
        to=TicketState.REDIRECTED,
        note="That portal belongs to the Tax Commission.",
        help_desk=ExternalHelpDesk.objects.get(name="Oklahoma Tax Commission Help Desk"),
    )
