from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.directory.services import SYSTEM_USERNAME, system_actor
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import SatisfactionSurvey, Ticket
from servicedesk.tickets.services import ticket_create, ticket_link, ticket_transition
from servicedesk.tickets.services.replies import URGENT_ACTION, reply_add
from servicedesk.tickets.services.resolution import (
    resolution_confirm,
    resolution_dispute,
    resolutions_close_expired,
    survey_submit,
)
from servicedesk.tickets.tasks import close_expired_resolutions


def resolved(org: Org, *, days_ago: float = 0) -> Ticket:
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="VPN")
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    done = ticket_transition(
        ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Rebooted the router"
    )
    if days_ago:
        Ticket.objects.filter(pk=done.pk).update(
            resolved_at=timezone.now() - timedelta(days=days_ago)
        )
        done.refresh_from_db()
    return done


def test_the_requester_confirms_and_the_ticket_closes(org: Org) -> None:
    closed = resolution_confirm(resolved(org), actor=org.employee)
    assert closed.state == TicketState.CLOSED
    assert closed.history.filter(action="ticket.closed", actor=org.employee).exists()


def test_a_dispute_reopens_with_the_reason_as_note(org: Org) -> None:
    reopened = resolution_dispute(resolved(org), actor=org.employee, reason="Still offline")
    assert reopened.state == TicketState.IN_PROGRESS
    assert reopened.resolved_at is None
    assert reopened.history.filter(field="note", after="Still offline").exists()


def test_a_dispute_needs_a_reason_the_requester_and_an_open_window(org: Org, settings) -> None:
    settings.SERVICEDESK_DISPUTE_WINDOW_DAYS = 3
    ticket = resolved(org)
    with pytest.raises(TicketError) as no_reason:
        resolution_dispute(ticket, actor=org.employee, reason="  ")
    assert no_reason.value.code == TicketErrorCode.NOTE_REQUIRED
    with pytest.raises(TicketError) as stranger:
        resolution_dispute(ticket, actor=org.stranger, reason="not mine")
    assert stranger.value.code == TicketErrorCode.NOT_PERMITTED
    late = resolved(org, days_ago=3.1)
    with pytest.raises(TicketError) as window:
        resolution_dispute(late, actor=org.employee, reason="too late")
    assert window.value.code == TicketErrorCode.ILLEGAL_TRANSITION
    assert "window" in window.value.message
    assert Ticket.objects.get(pk=late.pk).state == TicketState.RESOLVED


def test_expired_resolutions_close_by_themselves_as_the_system(org: Org, settings) -> None:
    settings.SERVICEDESK_DISPUTE_WINDOW_DAYS = 3
    old = resolved(org, days_ago=4)
    fresh = resolved(org, days_ago=1)
    assert close_expired_resolutions.call() == [old.number]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == (TicketState.CLOSED, TicketState.RESOLVED)
    entry = old.history.get(action="ticket.closed", field="state")
    assert entry.actor is not None and entry.actor.username == SYSTEM_USERNAME
    assert resolutions_close_expired() == []


def test_one_refusal_does_not_stop_the_other_closures(org: Org) -> None:
    blocked = resolved(org, days_ago=10)
    task = ticket_create(actor=org.desk, kind=TicketKind.TASK, short_description="Replace cable")
    ticket_link(task, blocked, actor=org.desk, kind=LinkKind.CHILD_OF)
    other = resolved(org, days_ago=10)
    assert resolutions_close_expired() == [other.number]
    assert Ticket.objects.get(pk=blocked.pk).state == TicketState.RESOLVED


def test_the_system_actor_cannot_sign_in_and_is_made_once(org: Org) -> None:
    actor = system_actor()
    assert actor == system_actor()
    assert not actor.is_active
    assert not actor.has_usable_password()
    assert actor.is_staff_member


def test_one_survey_per_closed_ticket_from_its_requester(org: Org) -> None:
    ticket = resolved(org)
    with pytest.raises(TicketError) as too_early:
        survey_submit(ticket, actor=org.employee, rating=5)
    assert too_early.value.code == TicketErrorCode.ILLEGAL_TRANSITION
    closed = resolution_confirm(ticket, actor=org.employee)
    with pytest.raises(TicketError) as not_theirs:
        survey_submit(closed, actor=org.colleague, rating=1)
    assert not_theirs.value.code == TicketErrorCode.NOT_PERMITTED
    with pytest.raises(TicketError) as out_of_range:
        survey_submit(closed, actor=org.employee, rating=6)
    assert out_of_range.value.field == "rating"
    survey = survey_submit(closed, actor=org.employee, rating=4, comment=" Quick fix ")
    assert (survey.rating, survey.comment) == (4, "Quick fix")
    with pytest.raises(TicketError):
        survey_submit(closed, actor=org.employee, rating=5)
    assert SatisfactionSurvey.objects.count() == 1


def test_the_database_itself_allows_one_survey_per_ticket(org: Org) -> None:
    closed = resolution_confirm(resolved(org), actor=org.employee)
    SatisfactionSurvey.objects.create(ticket=closed, respondent=org.employee, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionSurvey.objects.create(ticket=closed, respondent=org.employee, rating=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionSurvey.objects.filter(ticket=closed).update(rating=9)


def test_urgent_is_a_public_comment_plus_a_history_flag(org: Org, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="x")
    comment = reply_add(
        ticket,
        actor=org.employee,
        body="Whole office is down",
        urgent=True,
        uploads=[SimpleUploadedFile("shot.png", b"png")],
    )
    assert not comment.is_internal
    assert comment.attachments.get().original_name == "shot.png"
    assert ticket.history.get(action=URGENT_ACTION).after == str(comment.pk)
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_closed_tickets_take_no_replies_and_resolved_ones_no_urgent_flag(org: Org) -> None:
    ticket = resolved(org)
    with pytest.raises(TicketError):
        reply_add(ticket, actor=org.employee, body="help", urgent=True)
    reply_add(ticket, actor=org.employee, body="Thanks!")
    closed = resolution_confirm(ticket, actor=org.employee)
    with pytest.raises(TicketError) as refused:
        reply_add(closed, actor=org.employee, body="one more thing")
    assert "new ticket" in refused.value.message
