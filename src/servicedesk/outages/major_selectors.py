"""Reads of major incidents: the linked tickets, the live scope, who to tell, what to attach.

The scope (counts by channel and agency, people affected, agencies, dependent services) is
computed here and nowhere else: the major incident's page, the updates' records, the review and
the API all read `major_scope`, so they always give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from servicedesk.catalog.models import Service
from servicedesk.catalog.selectors import services_depending_on
from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import ContactRoleHolder, Person
from servicedesk.directory.oncall import on_call_now
from servicedesk.outages.deflection import search_words
from servicedesk.outages.models import CommunicationPlan, MajorIncident
from servicedesk.tickets.access import Viewer, visible_tickets
from servicedesk.tickets.choices import Channel, LinkKind, TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES

# A report is linked to the major incident as its child, or as a duplicate of its ticket.
LINK_KINDS = (LinkKind.CHILD_OF, LinkKind.DUPLICATE_OF)
MAX_CANDIDATES = 50
# The order the outage procedure counts calls in: the phone lines first.
SCOPE_CHANNELS = (
    Channel.PHONE,
    Channel.VOICEMAIL,
    Channel.EMAIL,
    Channel.PORTAL,
    Channel.WALK_IN,
    Channel.CHAT,
    Channel.MONITORING,
    Channel.API,
)


def major_incident_get(pk: int) -> MajorIncident:
    return MajorIncident.objects.select_related(
        "ticket__service", "ticket__agency", "status_entry", "declared_by", "problem"
    ).get(pk=pk)


def open_major_incident_for_service(service_id: int | None) -> MajorIncident | None:
    if service_id is None:
        return None
    return (
        MajorIncident.objects.filter(resolved_at__isnull=True, ticket__service_id=service_id)
        .select_related("ticket")
        .order_by("-declared_at")
        .first()
    )


def major_incident_of_child(ticket: Ticket) -> MajorIncident | None:
    """The open or resolved major incident `ticket` is attached to as a child, if any."""
    return (
        MajorIncident.objects.filter(
            ticket__links_in__source=ticket, ticket__links_in__kind=LinkKind.CHILD_OF
        )
        .select_related("ticket")
        .first()
    )


def children_of(major: MajorIncident) -> QuerySet[Ticket]:
    """The incidents attached as children (tasks are not children of a major incident)."""
    return Ticket.objects.filter(
        links_out__target_id=major.ticket_id,
        links_out__kind=LinkKind.CHILD_OF,
        kind=TicketKind.INCIDENT,
    )


def linked_tickets(major: MajorIncident) -> QuerySet[Ticket]:
    """The major incident's own ticket, its children and the duplicates of it."""
    linked = Ticket.objects.filter(
        links_out__target_id=major.ticket_id, links_out__kind__in=LINK_KINDS
    ).exclude(kind=TicketKind.TASK)
    return Ticket.objects.filter(Q(pk=major.ticket_id) | Q(pk__in=linked.values("pk")))


def affected_people(major: MajorIncident) -> list[Person]:
    """Requesters and affected people of every linked ticket, each once, by name."""
    ids = linked_tickets(major).values("pk")
    through = Ticket.affected_people.through
    people = Person.objects.filter(
        Q(pk__in=Ticket.objects.filter(pk__in=ids).values("requester_id"))
        | Q(pk__in=through.objects.filter(ticket_id__in=ids).values("person_id")),
        is_active=True,
    )
    return list(people.select_related("agency").order_by("last_name", "first_name", "username"))


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class Scope:
    tickets: int
    by_channel: list[Tally]
    by_agency: list[Tally]
    people: int
    all_users: bool
    agencies: list[str]
    related_services: list[Service]


def major_scope(major: MajorIncident) -> Scope:
    tickets = linked_tickets(major).order_by()
    channels = dict(tickets.values_list("channel").annotate(n=Count("pk")))
    by_channel = [
        Tally(str(channel.label), channels.get(channel.value, 0))
        for channel in SCOPE_CHANNELS
        if channel != Channel.API or channels.get(channel.value)
    ]
    agencies = tickets.values_list("agency__name").annotate(n=Count("pk")).order_by("agency__name")
    by_agency = [Tally(name or "No agency", n) for name, n in agencies]
    service = major.ticket.service
    return Scope(
        tickets=sum(channels.values()),
        by_channel=by_channel,
        by_agency=by_agency,
        people=len(affected_people(major)),
        all_users=major.all_users,
        agencies=[name for name, _ in agencies if name],
        related_services=services_depending_on(service) if service else [],
    )


def plan_for(service_id: int | None) -> CommunicationPlan | None:
    if service_id is None:
        return None
    return (
        CommunicationPlan.objects.filter(service_id=service_id)
        .select_related("on_call_group")
        .prefetch_related("notify_roles", "partner_lists", "contact_roles")
        .first()
    )


@dataclass(frozen=True)
class Told:
    person: Person
    why: str


def incident_team(major: MajorIncident, at: datetime | None = None) -> list[Told]:
    """Who is told at once on declaration: the holders of the plan's roles and the on-call
    person of the plan's support group (or, with no plan, the lead of the service's group)."""
    ticket = major.ticket
    plan = plan_for(ticket.service_id)
    told: dict[int, Told] = {}
    if plan is not None:
        holders = ContactRoleHolder.objects.filter(
            role__in=plan.notify_roles.all(), person__is_active=True
        ).select_related("person", "role")
        for holder in holders:
            told.setdefault(holder.person_id, Told(holder.person, holder.role.name))
        if plan.on_call_group is not None:
            on_call = on_call_now(plan.on_call_group, at or timezone.now())
            if on_call is not None and on_call.person is not None:
                why = f"on call for {plan.on_call_group.name}"
                told.setdefault(on_call.person.pk, Told(on_call.person, why))
    elif ticket.service is not None and ticket.service.default_group.lead is not None:
        lead = ticket.service.default_group.lead
        told[lead.pk] = Told(lead, f"lead of {ticket.service.default_group.name}")
    return list(told.values())


def named_contacts(major: MajorIncident, scope: Scope | None = None) -> list[Person]:
    """Holders of the plan's contact roles for the agencies in scope (or every agency when all
    users are affected), and organisation-wide holders."""
    plan = plan_for(major.ticket.service_id)
    if plan is None:
        return []
    holders = ContactRoleHolder.objects.filter(
        role__in=plan.contact_roles.all(), person__is_active=True
    )
    if not major.all_users:
        agency_ids = linked_tickets(major).exclude(agency=None).values("agency_id")
        holders = holders.filter(Q(agency__isnull=True) | Q(agency_id__in=agency_ids))
    people = {holder.person_id: holder.person for holder in holders.select_related("person")}
    return list(people.values())


def attach_candidates(viewer: Viewer, parent: Ticket) -> list[Ticket]:
    """Open incidents the viewer sees, on the same service as `parent` or sharing words with
    its title, not yet linked to it, newest first."""
    condition = Q(service_id=parent.service_id) if parent.service_id else Q(pk__in=[])
    for word in search_words(parent.short_description):
        condition |= Q(short_description__icontains=word)
    already = Ticket.objects.filter(
        links_out__target_id=parent.pk, links_out__kind__in=LINK_KINDS
    ).values("pk")
    return list(
        visible_tickets(viewer)
        .filter(condition, kind=TicketKind.INCIDENT, state__in=OPEN_STATES)
        .exclude(pk=parent.pk)
        .exclude(pk__in=already)
        .exclude(major_incident__isnull=False)
        .select_related("agency", "requester", "service")
        .order_by("-created_at")[:MAX_CANDIDATES]
    )


def _open_major_incidents() -> QuerySet[MajorIncident]:
    return (
        MajorIncident.objects.filter(resolved_at__isnull=True)
        .select_related("ticket__service", "declared_by")
        .order_by("-declared_at")
    )


# On every workspace home: its joins of a ticket and two people took Django 2-3 ms of CPU to
# compile each time; compiled once (`core.kept_queries`).
_OPEN_MAJOR_INCIDENTS = KeptQuery(_open_major_incidents)


def open_major_incidents() -> QuerySet[MajorIncident]:
    return _OPEN_MAJOR_INCIDENTS()


def recent_major_incidents(limit: int = 20) -> list[MajorIncident]:
    return list(
        MajorIncident.objects.filter(resolved_at__isnull=False)
        .select_related("ticket__service")
        .order_by("-resolved_at")[:limit]
    )
