"""The scoping rule, checked role by role against someone else's ticket."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from servicedesk.conftest import Org, make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.tickets.access import (
    forget_scope,
    knows_own_work,
    may_see_ticket,
    ticket_scope,
    visible_attachments,
    visible_comments,
    visible_tickets,
)
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import my_newest_tickets, my_tickets, ticket_get
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_assign,
    ticket_create,
    ticket_set_affected,
)
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture


@pytest.fixture
def tickets(org: Org) -> dict[str, Ticket]:
    own = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Mine")
    filed_for_colleague = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Colleague's",
    )
    affecting = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="Office outage",
    )
    ticket_set_affected(affecting, actor=org.desk, people=[org.employee])
    return {"own": own, "colleague": filed_for_colleague, "affecting": affecting}


def test_an_employee_sees_own_and_affecting_tickets_only(org: Org, tickets) -> None:
    visible = set(visible_tickets(org.employee).values_list("number", flat=True))
    assert visible == {tickets["own"].number, tickets["affecting"].number}
    assert [t.number for t in my_tickets(org.employee)] == [
        tickets["affecting"].number,
        tickets["own"].number,
    ]
    with pytest.raises(Ticket.DoesNotExist):
        ticket_get(org.employee, tickets["colleague"].number)
    # One ticket by its number is checked on its own row: requested, or affected.
    assert ticket_get(org.employee, tickets["own"].number.lower()) == tickets["own"]
    assert ticket_get(org.employee, tickets["affecting"].number) == tickets["affecting"]
    assert ticket_get(org.colleague, tickets["colleague"].number) == tickets["colleague"]


def test_the_newest_tickets_followed_are_the_newest_of_every_way_of_following(org: Org) -> None:
    """The portal home reads the newest few of each way (requested, filed, affected): together
    they are the newest few of all, whichever way the newest came."""
    made: list[Ticket] = []
    for n in range(9):  # requested, filed for the colleague, affected: in turn, oldest first
        way = n % 3
        ticket = ticket_create(
            actor=org.employee if way < 2 else org.desk,
            requester=org.employee if way == 0 else org.colleague,
            kind=TicketKind.INCIDENT,
            short_description=f"Ticket {n}",
        )
        if way == 2:
            ticket_set_affected(ticket, actor=org.desk, people=[org.employee])
        made.append(ticket)
    Ticket.objects.filter(requester=org.employee).update(created_at=made[0].created_at)
    unrelated = ticket_create(actor=org.colleague, kind=TicketKind.INCIDENT, short_description="x")
    every_one = [t.number for t in my_tickets(org.employee)]
    assert unrelated.number not in every_one and len(every_one) == 9
    for limit in (1, 2, 4, 9, 20):
        newest = [t.number for t in my_newest_tickets(org.employee, limit)]
        assert newest == every_one[:limit]


@pytest.mark.parametrize("who", ["desk", "network"])
def test_staff_in_a_group_serving_every_agency_see_all(org: Org, tickets, who: str) -> None:
    assert visible_tickets(getattr(org, who)).count() == 3


# Who sees which ticket of `Scoped` (every other role of the matrix gets a 404).
EVERYONE_ON_STAFF = {"desk", "network", "manager", "admin"}
SEEN_BY: dict[str, set[str]] = {
    "x_ticket": {"requester", "x_agent", "x_lead", "service_lead"} | EVERYONE_ON_STAFF,
    "y_ticket": {"y_requester", "y_agent"} | EVERYONE_ON_STAFF,
    "y_ticket_for_x_team": {"y_requester", "y_agent", "x_agent", "x_lead"} | EVERYONE_ON_STAFF,
    "no_agency_ticket": EVERYONE_ON_STAFF,
    "escalated": {"y_requester", "y_agent", "service_lead"} | EVERYONE_ON_STAFF,
}
ROLES = ["requester", "y_requester", "x_agent", "y_agent", "x_lead", "service_lead"]
ROLES += ["desk", "network", "manager", "admin"]


def person_for(scoped: Scoped, role: str) -> Person:
    return getattr(scoped.org, role) if role in {"desk", "network"} else scoped.who(role)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_scope(scoped: Scoped, role: str) -> None:
    viewer = person_for(scoped, role)
    expected = {getattr(scoped, key).number for key, roles in SEEN_BY.items() if role in roles}
    assert set(visible_tickets(viewer).values_list("number", flat=True)) == expected
    for key in SEEN_BY:
        number = getattr(scoped, key).number
        if number in expected:
            assert ticket_get(viewer, number).number == number
        else:
            with pytest.raises(Ticket.DoesNotExist):
                ticket_get(viewer, number)


def test_comments_and_files_follow_the_ticket(scoped: Scoped) -> None:
    y_ticket = scoped.y_ticket
    comment_add(y_ticket, actor=scoped.y_agent, body="Rebooted the portal", internal=True)
    attachment_add(y_ticket, actor=scoped.y_agent, upload=SimpleUploadedFile("log.txt", b"x"))
    for outsider in (scoped.x_agent, scoped.x_lead, scoped.service_lead):
        assert not visible_comments(outsider).filter(ticket=y_ticket).exists()
        assert not visible_attachments(outsider).filter(ticket=y_ticket).exists()
    assert visible_comments(scoped.y_agent).filter(ticket=y_ticket).count() == 1
    assert visible_attachments(scoped.y_agent).filter(ticket=y_ticket).count() == 1


def test_a_groups_agencies_are_read_once_per_person_object(
    scoped: Scoped, django_assert_num_queries
) -> None:
    agent = scoped.x_agent
    with django_assert_num_queries(2):  # the scope, then the tickets
        assert scoped.y_ticket.number not in {t.number for t in visible_tickets(agent)}
    scoped.x_team.agencies.add(scoped.org.other_agency)
    with django_assert_num_queries(1):  # the same object keeps its scope for its request
        assert not visible_tickets(agent).filter(pk=scoped.y_ticket.pk).exists()
    forget_scope(agent)
    assert visible_tickets(agent).filter(pk=scoped.y_ticket.pk).exists()
    assert ticket_scope(agent).agency_ids == tuple(
        sorted([scoped.org.agency.pk, scoped.org.other_agency.pk])
    )


def test_a_group_that_names_no_agency_serves_every_agency(scoped: Scoped) -> None:
    scoped.x_team.agencies.clear()
    agent = Person.objects.get(pk=scoped.x_agent.pk)
    assert ticket_scope(agent).everything
    assert visible_tickets(agent).filter(pk=scoped.no_agency_ticket.pk).exists()


def test_an_agent_in_no_group_sees_only_what_is_theirs(scoped: Scoped) -> None:
    loner = make_person("loner", Role.AGENT, scoped.org.fiber)
    assert not visible_tickets(loner).exists()
    x_ticket = scoped.x_ticket  # in no group yet
    ticket_assign(x_ticket, actor=scoped.org.desk, version=None, group=None, assignee=loner)
    assert list(visible_tickets(loner)) == [x_ticket]
    assert may_see_ticket(loner, x_ticket)
    assert not may_see_ticket(loner, scoped.y_ticket)


def test_nobody_signed_out_or_deactivated_sees_anything(org: Org, tickets) -> None:
    assert not visible_tickets(AnonymousUser()).exists()
    org.employee.is_active = False
    assert not visible_tickets(org.employee).exists()


def test_internal_notes_never_reach_the_requester(org: Org, tickets) -> None:
    own = tickets["own"]
    comment_add(own, actor=org.desk, body="We are on it")
    comment_add(own, actor=org.desk, body="Suspect the user", internal=True)
    assert list(visible_comments(org.employee).values_list("body", flat=True)) == ["We are on it"]
    assert visible_comments(org.desk).count() == 2
    assert not visible_comments(org.stranger).exists()
    assert not visible_attachments(org.stranger).exists()


@pytest.mark.parametrize("role", ROLES)
def test_staff_know_every_ticket_of_their_own_work(scoped: Scoped, role: str) -> None:
    """What lets the queues of one's own work (my open, my groups', to verify) skip the scope."""
    viewer = person_for(scoped, role)
    own_work = Ticket.objects.filter(
        Q(assignee=viewer) | Q(assignment_group__in=viewer.support_groups.values("pk"))
    )
    assert knows_own_work(viewer) == viewer.is_staff_member
    if knows_own_work(viewer):
        visible = set(visible_tickets(viewer).values_list("pk", flat=True))
        assert set(own_work.values_list("pk", flat=True)) <= visible


def test_the_scoped_agent_has_own_work_outside_their_agencies(scoped: Scoped) -> None:
    """The check above is not empty: the x team's agent works a ticket of agency y."""
    theirs = Ticket.objects.filter(assignment_group__in=scoped.x_agent.support_groups.all())
    assert theirs.filter(pk=scoped.y_ticket_for_x_team.pk).exists()
