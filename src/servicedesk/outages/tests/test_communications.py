"""One composer for a major incident's updates: audiences, one message per person, internal
notes kept inside, corrections and withdrawals, and the resolution cascade."""

from __future__ import annotations

from collections import Counter

import pytest

from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.models import OutboundEmail
from servicedesk.outages.choices import Audience, CommunicationKind, UpdateStage
from servicedesk.outages.communications import (
    major_incident_correct,
    major_incident_update,
)
from servicedesk.outages.errors import MajorIncidentError, MajorIncidentErrorCode
from servicedesk.outages.major import major_incident_declare
from servicedesk.outages.major_selectors import children_of
from servicedesk.outages.models import Communication, GreetingText, MajorIncident, StatusUpdate
from servicedesk.outages.resolution import major_incident_resolve
from servicedesk.outages.tests.major_fixtures import World
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import comment_add, ticket_set_affected
from servicedesk.tickets.services.resolution import resolution_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def major(world: World) -> MajorIncident:
    parent, *children = world.reports
    # The employee filed the first and third reports and is affected by the second: three.
    ticket_set_affected(children[0], actor=world.org.desk, people=[world.org.employee])
    return major_incident_declare(
        parent, actor=world.org.desk, public_message="Case search is down.", children=children
    )


def send(world: World, major: MajorIncident, *audiences: str, **extra: object) -> Communication:
    arguments: dict[str, object] = {
        "actor": world.org.desk,
        "stage": UpdateStage.IDENTIFIED,
        "message": "The database cluster lost a node; failing over.",
        "audiences": list(audiences),
    } | extra
    return major_incident_update(major, **arguments)  # type: ignore[arg-type]


def mails_of(communication: Communication) -> Counter[str]:
    rows = OutboundEmail.objects.filter(dedupe_key__startswith=f"major-comm:{communication.pk}|")
    return Counter(rows.values_list("to_address", flat=True))


def refusal(call: object) -> MajorIncidentErrorCode:
    with pytest.raises(MajorIncidentError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_an_update_reaches_each_audience_and_each_person_once(
    world: World, major: MajorIncident
) -> None:
    update = send(
        world,
        major,
        Audience.STATUS_PAGE,
        Audience.GREETING,
        Audience.PARTNERS,
        Audience.AFFECTED,
        Audience.CONTACTS,
    )

    # The employee is on all three reports: one mail, not three.
    assert mails_of(update) == Counter(
        {
            "employee@example.org": 1,
            "colleague@example.org": 1,
            "feeds@county.example": 1,
            "clerk@courts.example": 1,
            "sponsor@example.org": 1,
        }
    )
    reached = {s.audience: s.recipient_count for s in update.sends.all()}
    assert reached == {
        "status_page": 1,
        "greeting": 1,
        "partners": 2,
        "affected": 2,
        "contacts": 1,
    }
    assert major.status_entry is not None
    assert major.status_entry.updates.get().message == update.message
    assert GreetingText.objects.first().text == update.message  # type: ignore[union-attr]


def test_an_internal_note_never_reaches_an_external_audience(
    world: World, major: MajorIncident
) -> None:
    secret = "Root password rotated to hunter2"
    code = refusal(lambda: send(world, major, Audience.PARTNERS, message=secret, internal=True))
    assert code == MajorIncidentErrorCode.INTERNAL_TO_EXTERNAL
    comment_add(major.ticket, actor=world.org.desk, body=secret, internal=True)

    team = send(world, major, Audience.TEAM, message=secret, internal=True)
    public = send(world, major, Audience.PARTNERS)

    assert set(mails_of(team)) == {
        "desklead@example.org",
        "appmanager@example.org",
        "oncall@example.org",
    }
    partner_mail = OutboundEmail.objects.filter(to_address="feeds@county.example")
    assert partner_mail.count() == 1 and mails_of(public)["feeds@county.example"] == 1
    assert all(secret not in mail.body_text for mail in partner_mail)
    internal = Communication.objects.filter(is_internal=True)
    assert all(c.audiences == ["team"] for c in internal)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"message": "   "}, MajorIncidentErrorCode.REQUIRED),
        ({"audiences": ["fax"]}, MajorIncidentErrorCode.UNKNOWN_AUDIENCE),
        ({"audiences": []}, MajorIncidentErrorCode.REQUIRED),
    ],
)
def test_bad_updates_are_refused_and_send_nothing(
    world: World, major: MajorIncident, changes: dict[str, object], code: MajorIncidentErrorCode
) -> None:
    before = OutboundEmail.objects.count()

    assert refusal(lambda: send(world, major, Audience.AFFECTED, **changes)) == code

    assert OutboundEmail.objects.count() == before
    assert not Communication.objects.exists()


def test_a_correction_changes_the_page_and_greeting_in_place_and_reaches_the_same_people(
    world: World, major: MajorIncident
) -> None:
    original = send(world, major, Audience.STATUS_PAGE, Audience.GREETING, Audience.PARTNERS)

    fixed = major_incident_correct(
        original, actor=world.org.desk, message="A network switch failed, not the database."
    )

    assert original.status_update_id is not None
    assert StatusUpdate.objects.get(pk=original.status_update_id).message == fixed.message
    assert GreetingText.objects.first().text == fixed.message  # type: ignore[union-attr]
    assert (
        set(mails_of(fixed))
        == set(mails_of(original))
        == {
            "feeds@county.example",
            "clerk@courts.example",
        }
    )
    mail = OutboundEmail.objects.get(dedupe_key=f"major-comm:{fixed.pk}|feeds@county.example")
    assert mail.subject.startswith("Correction")


def test_a_withdrawal_takes_the_update_off_the_page_and_restores_the_greeting(
    world: World, major: MajorIncident
) -> None:
    GreetingText.objects.create(text="Thank you for calling the service desk.")
    original = send(world, major, Audience.STATUS_PAGE, Audience.GREETING, Audience.AFFECTED)

    posted = original.status_update_id
    assert posted is not None

    major_incident_correct(original, actor=world.org.desk, withdraw=True)

    assert not StatusUpdate.objects.filter(pk=posted).exists()
    current = GreetingText.objects.first()
    assert current is not None and current.text == "Thank you for calling the service desk."
    assert original.corrections.get().kind == CommunicationKind.WITHDRAWAL


def test_resolving_resolves_every_child_and_tells_each_person_once(
    world: World, major: MajorIncident
) -> None:
    OutboundEmail.objects.all().delete()

    resolution = major_incident_resolve(
        major, actor=world.org.desk, message="The node is back.", audiences=[Audience.PARTNERS]
    )

    states = set(
        Ticket.objects.filter(pk__in=[t.pk for t in world.reports]).values_list("state", flat=True)
    )
    assert states == {TicketState.RESOLVED}
    major.refresh_from_db()
    assert major.resolved_at is not None
    assert major.status_entry is not None and major.status_entry.resolved_at is not None
    per_person = Counter(
        OutboundEmail.objects.filter(recipient__isnull=False).values_list("to_address", flat=True)
    )
    assert per_person == Counter({"employee@example.org": 1, "colleague@example.org": 1})
    assert not OutboundEmail.objects.filter(kind=NotificationKind.RESOLUTION).exists()
    employee_mail = OutboundEmail.objects.get(to_address="employee@example.org")
    assert world.reports[0].number in employee_mail.body_text
    assert world.reports[2].number in employee_mail.body_text
    assert mails_of(resolution)["feeds@county.example"] == 1


def test_a_requester_who_reopens_their_child_leaves_the_resolved_parent(
    world: World, major: MajorIncident
) -> None:
    major_incident_resolve(major, actor=world.org.desk, message="The node is back.")
    colleague_report = world.reports[1]

    resolution_dispute(colleague_report, actor=world.org.colleague, reason="Still broken here")

    colleague_report.refresh_from_db()
    assert colleague_report.state == TicketState.IN_PROGRESS
    assert colleague_report not in children_of(major)
    assert world.reports[2] in children_of(major)
    assert major.ticket.state != TicketState.IN_PROGRESS


def test_resolving_twice_is_refused(world: World, major: MajorIncident) -> None:
    major_incident_resolve(major, actor=world.org.desk, message="Back.")
    ticket_count = Ticket.objects.count()

    code = refusal(lambda: major_incident_resolve(major, actor=world.org.desk, message="Again"))

    assert code == MajorIncidentErrorCode.ALREADY_RESOLVED
    assert Ticket.objects.count() == ticket_count
