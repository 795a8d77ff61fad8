"""The access policy asked of tickets in hand (a ticket's page, its linked tickets) answers as
the policy asked of the database does, role by role, comment by comment."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets.access import (
    TicketAction,
    may,
    visible_attachments,
    visible_comments,
    visible_tickets,
)
from servicedesk.tickets.access_in_hand import comments_and_files_on, known_among, may_in_hand
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import attachment_add, comment_add, ticket_set_affected
from servicedesk.tickets.tests.scoping import Scoped
from servicedesk.tickets.tests.scoping import scoped as scoped  # the fixture
from servicedesk.tickets.tests.test_access import ROLES, person_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_the_tickets_in_hand_a_role_may_know_are_those_it_sees(scoped: Scoped, role: str) -> None:
    viewer = person_for(scoped, role)
    everything = list(Ticket.objects.all())
    assert known_among(viewer, everything) == set(
        visible_tickets(viewer).values_list("pk", flat=True)
    )
    for ticket in everything:
        for action in (TicketAction.KNOW, TicketAction.READ_INTERNAL, TicketAction.WORK):
            assert may_in_hand(viewer, action, ticket) == may(viewer, action, ticket), (
                action,
                ticket,
            )


def test_someone_affected_knows_the_ticket_in_hand(scoped: Scoped) -> None:
    """The one way in that the row itself does not show: the affected people, read for it."""
    outsider = scoped.who("requester")
    ticket = scoped.y_ticket
    assert ticket.pk not in known_among(outsider, [ticket])
    ticket_set_affected(ticket, actor=scoped.y_agent, people=[outsider])
    assert ticket.pk in known_among(outsider, [ticket])


@pytest.mark.parametrize("role", ROLES)
def test_comments_and_files_in_hand_are_those_the_policy_shows(scoped: Scoped, role: str) -> None:
    ticket = scoped.y_ticket
    comment_add(ticket, actor=scoped.y_agent, body="Rebooted the portal", internal=True)
    comment_add(ticket, actor=scoped.y_agent, body="Please try again", internal=False)
    attachment_add(ticket, actor=scoped.y_agent, upload=SimpleUploadedFile("log.txt", b"x"))
    viewer = person_for(scoped, role)
    comments, files = comments_and_files_on(viewer, ticket)
    assert set(comments) == set(visible_comments(viewer).filter(ticket=ticket))
    assert set(files) == set(visible_attachments(viewer).filter(ticket=ticket))


def test_nobody_signed_out_knows_a_ticket_in_hand(scoped: Scoped) -> None:
    ticket = scoped.y_ticket
    assert known_among(AnonymousUser(), [ticket]) == set()
    assert not comments_and_files_on(AnonymousUser(), ticket)[0].exists()
    assert not may_in_hand(AnonymousUser(), TicketAction.KNOW, ticket)
