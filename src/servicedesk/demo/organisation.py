"""The demo organisation, modelled on the seeds: a state IT department (OMES) serving two
agencies, its L1 desk, L2 teams and service lead, and a school district's category chart.

Every function is idempotent: it updates what exists and creates what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password

from servicedesk.catalog.choices import Priority
from servicedesk.catalog.models import Category, PriorityCode, RequestType, Service
from servicedesk.demo.catalog_forms import load_request_forms
from servicedesk.demo.sla_policy import load_sla_rules
from servicedesk.directory.choices import Network, Role, Tier
from servicedesk.directory.models import Agency, ExternalHelpDesk, Location, Person, SupportGroup
from servicedesk.sla.models import BusinessCalendar
from servicedesk.sla.planning import holidays_apply

DEMO_PASSWORD = "servicedesk-demo"
WEEKDAYS_7_TO_5 = {str(day): [["07:00", "17:00"]] for day in range(5)}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    name: str
    lands_on: str


DEMO_LOGINS = (
    DemoLogin("employee", Role.REQUESTER, "Emma Porter", "the portal"),
    DemoLogin("desk", Role.AGENT, "Diego Ramirez", "the workspace (L1 service desk)"),
    DemoLogin("network", Role.AGENT, "Nina Patel", "the workspace (L2 network team)"),
    DemoLogin("lead", Role.SERVICE_LEAD, "Sam Whitfield", "the workspace (service lead)"),
    DemoLogin("manager", Role.MANAGER, "Maria Chen", "the workspace (manager)"),
    DemoLogin("admin", Role.ADMIN, "Alex Admin", "the workspace, with Administration"),
)


def calendars() -> dict[str, BusinessCalendar]:
    business, _ = BusinessCalendar.objects.update_or_create(
        name="State business hours",
        defaults={"time_zone": "America/Chicago", "weekly_hours": WEEKDAYS_7_TO_5},
    )
    always, _ = BusinessCalendar.objects.update_or_create(
        name="24x7",
        defaults={
            "time_zone": "America/Chicago",
            "weekly_hours": {str(day): [["00:00", "24:00"]] for day in range(7)},
            "is_24x7": True,
        },
    )
    this_year = date.today().year
    holidays_apply(
        business, country="US", subdivision="OK", years=range(this_year - 1, this_year + 3)
    )
    return {"business": business, "24x7": always}


def agencies(business: BusinessCalendar) -> dict[str, Location]:
    omes, _ = Agency.objects.update_or_create(
        code="omes", defaults={"name": "Office of Management and Enterprise Services"}
    )
    sok, _ = Agency.objects.update_or_create(code="sok", defaults={"name": "Service Oklahoma"})
    dhs, _ = Agency.objects.update_or_create(
        code="dhs", defaults={"name": "Department of Human Services"}
    )
    places = {
        "omes-hq": (omes, "Will Rogers Building", Network.STATE_FIBER, "2401 N Lincoln Blvd"),
        "sok-okc": (sok, "Oklahoma City headquarters", Network.STATE_FIBER, "421 NW 13th St"),
        "sok-guymon": (sok, "Guymon licensing office", Network.REMOTE, "Panhandle, remote site"),
        "dhs-okc": (dhs, "Sequoyah Building", Network.STATE_FIBER, "2400 N Lincoln Blvd"),
    }
    locations = {}
    for key, (agency, name, network, address) in places.items():
        locations[key], _ = Location.objects.update_or_create(
            agency=agency,
            name=name,
            defaults={"network": network, "address": address, "calendar": business},
        )
    return locations


_password_hash: list[str] = []


def _demo_password_hash() -> str:
    """Hashed once per run: a password hash costs about half a second by design."""
    if not _password_hash:
        _password_hash.append(make_password(DEMO_PASSWORD))
    return _password_hash[0]


def _person(
    username: str, name: str, role: Role, location: Location, *, email_domain: str = "ok.example"
) -> Person:
    first, _, last = name.partition(" ")
    person, created = Person.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@{email_domain}",
            "role": role,
            "agency": location.agency,
            "location": location,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
        },
    )
    if created:
        person.password = _demo_password_hash()
        person.save(update_fields=["password"])
    return person


def people(locations: dict[str, Location]) -> dict[str, Person]:
    it_home = locations["omes-hq"]
    where = {
        "employee": locations["sok-okc"],
        "desk": it_home,
        "network": it_home,
        "lead": it_home,
        "manager": it_home,
        "admin": it_home,
    }
    found = {
        login.username: _person(login.username, login.name, login.role, where[login.username])
        for login in DEMO_LOGINS
    }
    extra = [
        ("jbrooks", "Jordan Brooks", Role.REQUESTER, "sok-okc"),
        ("lnguyen", "Linh Nguyen", Role.REQUESTER, "sok-guymon"),
        ("tharris", "Tom Harris", Role.REQUESTER, "sok-guymon"),
        ("kowens", "Kelly Owens", Role.REQUESTER, "dhs-okc"),
        ("rsingh", "Ravi Singh", Role.REQUESTER, "dhs-okc"),
        ("abaker", "Ana Baker", Role.REQUESTER, "dhs-okc"),
        ("pdesk", "Priya Desai", Role.AGENT, "omes-hq"),
        ("dtech", "Dale Turner", Role.AGENT, "omes-hq"),
        ("appsup", "Grace Liu", Role.AGENT, "omes-hq"),
        ("idm", "Omar Haddad", Role.AGENT, "omes-hq"),
        ("deskld", "Rosa Alvarez", Role.GROUP_LEAD, "omes-hq"),
    ]
    for username, name, role, place in extra:
        found[username] = _person(username, name, role, locations[place])
    return found


def groups(staff: dict[str, Person]) -> dict[str, SupportGroup]:
    layout = {
        "desk": ("OMES Service Desk", Tier.SERVICE_DESK, "deskld", ["desk", "pdesk", "deskld"]),
        "network": ("Network Services", Tier.L2, "network", ["network"]),
        "desktop": ("Desktop Support", Tier.L2, "dtech", ["dtech"]),
        "applications": ("Application Support", Tier.L2, "appsup", ["appsup"]),
        "identity": ("Identity and Access", Tier.L2, "idm", ["idm"]),
        "lead": ("Service Lead", Tier.SERVICE_LEAD, "lead", ["lead", "manager"]),
    }
    found = {}
    for key, (name, tier, lead, members) in layout.items():
        group, _ = SupportGroup.objects.update_or_create(
            name=name,
            defaults={"tier": tier, "lead": staff[lead], "email": f"{key}@omes.ok.example"},
        )
        group.members.add(*(staff[m] for m in members))
        found[key] = group
    return found


# Whom a group serves, by agency code; a group left out serves every agency.
# Network Services looks after Service Oklahoma's offices only, so `network` sees Service
# Oklahoma's tickets and its own group's, fewer than the desk, which serves everyone.
GROUP_AGENCIES = {"Network Services": ("sok",)}


def group_agencies() -> None:
    """Idempotent; the benchmark calls it too, on a database generated before agencies existed."""
    for name, codes in GROUP_AGENCIES.items():
        group = SupportGroup.objects.get(name=name)
        group.agencies.set(Agency.objects.filter(code__in=codes))


def services(support: dict[str, SupportGroup]) -> dict[str, Service]:
    layout = {
        "email": ("Email and calendar", "applications"),
        "network": ("Network and internet", "network"),
        "workstation": ("Computers and laptops", "desktop"),
        "printing": ("Printers and scanners", "desktop"),
        "licensing": ("Driver licensing application", "applications"),
        "identity": ("Accounts and passwords", "identity"),
        "phones": ("Desk phones", "network"),
    }
    found = {}
    for key, (name, group) in layout.items():
        found[key], _ = Service.objects.update_or_create(
            name=name, defaults={"default_group": support[group]}
        )
    return found


# The school district's categorization chart: (number, name, [(code, name, target)]).
# A target of "" means "no defined SLA".
CATEGORY_CHART: list[tuple[int, str, list[tuple[int, str, str]]]] = [
    (
        1,
        "Hardware / software break fix",
        [
            (1, "Emergency", "4 hours"),
            (2, "High / testing", "1 day"),
            (3, "Instructional", "3 days"),
            (4, "Administrative", "4 days"),
            (5, "Vendor dependent", ""),
            (6, "District dependencies", ""),
            (7, "Donated items", ""),
            (8, "Personal devices", ""),
        ],
    ),
    (
        2,
        "Security access",
        [
            (3, "Instructional", "3 days"),
            (4, "Administrative", "4 days"),
            (6, "District dependencies", ""),
            (8, "Personal devices", ""),
        ],
    ),
    (
        3,
        "Acquisition",
        [
            (1, "Emergency", "1 day"),
            (2, "High", "2 days"),
            (3, "Instructional", "3 days"),
            (4, "Administrative", "4 days"),
            (5, "Vendor dependent", ""),
            (6, "District dependencies", ""),
        ],
    ),
    (4, "Training", [(3, "Instructional", ""), (4, "Administrative", "")]),
    (5, "Scheduled maintenance", [(3, "Instructional", ""), (4, "Administrative", "")]),
    (
        7,
        "Inventory",
        [
            (0, "Maintenance", "2 days"),
            (1, "Information query", "5 days"),
            (2, "Audit process", "20 days"),
            (3, "Submitted discrepancy", "4 days"),
            (4, "Reconciliation", "10 days"),
            (5, "Equipment moves – new", "2 days"),
            (6, "Equipment moves – existing", "3 days"),
            (9, "Completion", "3 days"),
        ],
    ),
    (8, "Process related", [(9, "CCC related", "as needed")]),
]


# The chart's category of planned project work (the school district's scheduled maintenance).
SCHEDULED_WORK_CATEGORY = 5


def categories() -> dict[int, Category]:
    """The chart's categories and codes; their targets are written by `sla_policy`."""
    found = {}
    for number, name, codes in CATEGORY_CHART:
        category, _ = Category.objects.update_or_create(
            number=number,
            defaults={"name": name, "is_scheduled_work": number == SCHEDULED_WORK_CATEGORY},
        )
        for code, code_name, _target in codes:
            PriorityCode.objects.update_or_create(
                category=category, code=code, defaults={"name": code_name}
            )
        found[number] = category
    return found


def request_types(chart: dict[int, Category]) -> dict[str, RequestType]:
    layout = {
        "password-reset": ("Password reset", Priority.P1, 2),
        "access": ("Access or permissions", Priority.P2, 2),
        "hardware": ("Hardware request", Priority.P2, 1),
        "software": ("Software request", Priority.P2, 1),
        "acquisition": ("Equipment acquisition", Priority.P2, 3),
        "training": ("Training", Priority.P2, 4),
        "question": ("General question", Priority.P2, None),
    }
    found = {}
    for slug, (name, priority, category) in layout.items():
        found[slug], _ = RequestType.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "default_priority": priority,
                "default_category": chart[category] if category else None,
            },
        )
    return found


def help_desks() -> None:
    desks = [
        (
            "Oklahoma Tax Commission Help Desk",
            "(405) 555-0101",
            "helpdesk@tax.ok.example",
            "https://tax.ok.example/support",
            "Mon–Fri 08:00–17:00",
        ),
        (
            "JNET Service Desk",
            "(717) 555-0144",
            "jnet-servicedesk@pa.example",
            "https://jnet.pa.example/contacts",
            "Mon–Fri 07:00–17:00",
        ),
        (
            "OSBI CJIS Help Desk",
            "(405) 555-0178",
            "cjis@osbi.ok.example",
            "",
            "24 hours, every day",
        ),
    ]
    for name, phone, email, url, hours in desks:
        ExternalHelpDesk.objects.update_or_create(
            name=name, defaults={"phone": phone, "email": email, "portal_url": url, "hours": hours}
        )


@dataclass(frozen=True)
class Organisation:
    calendars: dict[str, BusinessCalendar]
    locations: dict[str, Location]
    people: dict[str, Person]
    groups: dict[str, SupportGroup]
    services: dict[str, Service]
    categories: dict[int, Category]
    request_types: dict[str, RequestType]


def load_organisation() -> Organisation:
    """Everything of the demo but its tickets, in dependency order."""
    cals = calendars()
    places = agencies(cals["business"])
    staff = people(places)
    support = groups(staff)
    group_agencies()
    chart = categories()
    help_desks()
    kinds = request_types(chart)
    load_request_forms(kinds, support)
    chart_words = {
        (number, code): words for number, _, codes in CATEGORY_CHART for code, _, words in codes
    }
    load_sla_rules(cals["24x7"], kinds, chart_words)
    return Organisation(
        calendars=cals,
        locations=places,
        people=staff,
        groups=support,
        services=services(support),
        categories=chart,
        request_types=kinds,
    )
