"""Demo outage procedure: who is told when the driver licensing application goes down (its
communication plan), the contact roles of the justice network desk's procedure, an on-call rota
for Application Support with the 11:30 daily meeting, the business and data partners' list,
service dependencies, the phone greeting, and three open reports of a licensing failure (phone,
voicemail, e-mail) to declare a major incident from."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from servicedesk.catalog.models import Service, ServiceDependency
from servicedesk.directory.models import (
    ContactRole,
    ContactRoleHolder,
    DistributionList,
    OnCallRota,
    OnCallSlot,
    Person,
    SupportGroup,
)
from servicedesk.outages.communications import greeting_publish
from servicedesk.outages.models import CommunicationPlan, GreetingText
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.services import ticket_create

NORMAL_GREETING = (
    "Thank you for calling the OMES Service Desk. Please hold for the next available agent."
)
ROLES: dict[str, list[tuple[str, str | None]]] = {
    "Service Desk Lead": [("deskld", None)],
    "Application Support Manager": [("manager", None)],
    "Sponsor": [("jbrooks", "sok")],
    "Registrar": [("kowens", "dhs")],
}
REPORTS = [
    ("jbrooks", Channel.PHONE, "Licensing application shows a server error"),
    ("lnguyen", Channel.VOICEMAIL, "Cannot print licences in Guymon, licensing app down"),
    ("kowens", Channel.EMAIL, "Licensing application not loading"),
]


def _roles(people: dict[str, Person]) -> dict[str, ContactRole]:
    found = {}
    for name, holders in ROLES.items():
        role, _ = ContactRole.objects.get_or_create(name=name)
        for username, agency_code in holders:
            person = people[username]
            agency = person.agency if agency_code else None
            ContactRoleHolder.objects.get_or_create(role=role, person=person, agency=agency)
        found[name] = role
    return found


def _rota(people: dict[str, Person], group: SupportGroup) -> None:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    rota, _ = OnCallRota.objects.get_or_create(
        group=group,
        defaults={"starts_on": monday, "handover_time": time(9), "meeting_time": time(11, 30)},
    )
    for position, username in enumerate(["appsup", "idm"]):
        OnCallSlot.objects.get_or_create(
            rota=rota, position=position, defaults={"person": people[username]}
        )


def _dependencies(catalog: dict[str, Service]) -> None:
    for service, depends_on in [
        ("licensing", "identity"),
        ("licensing", "network"),
        ("email", "network"),
        ("phones", "network"),
    ]:
        ServiceDependency.objects.get_or_create(
            service=catalog[service], depends_on=catalog[depends_on]
        )


def load_major_incident_setup(
    people: dict[str, Person], support: dict[str, SupportGroup], catalog: dict[str, Service]
) -> None:
    """Idempotent; the reports are filed only the first time (when the plan is created)."""
    roles = _roles(people)
    _rota(people, support["applications"])
    _dependencies(catalog)
    partners, _ = DistributionList.objects.get_or_create(
        name="Business and data partners",
        defaults={"outside_addresses": "partners@courts.ok.example\ndata-feeds@county.ok.example"},
    )
    if not GreetingText.objects.exists():
        greeting_publish(NORMAL_GREETING, actor=None, communication=None)
    plan, created = CommunicationPlan.objects.get_or_create(
        service=catalog["licensing"], defaults={"on_call_group": support["applications"]}
    )
    if not created:
        return
    plan.notify_roles.set([roles["Service Desk Lead"], roles["Application Support Manager"]])
    plan.contact_roles.set([roles["Sponsor"], roles["Registrar"]])
    plan.partner_lists.set([partners])
    for username, channel, text in REPORTS:
        ticket_create(
            actor=people["desk"],
            requester=people[username],
            kind=TicketKind.INCIDENT,
            short_description=text,
            channel=channel,
            service=catalog["licensing"],
        )
