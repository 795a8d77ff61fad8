"""The agent's full view: answers, files, urgent, satisfaction; replies with files; request
types in triage and Log a call."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from servicedesk.catalog.models import RequestType
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org
from servicedesk.core.tests.test_kept_queries import compilations
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Attachment, SatisfactionSurvey, Ticket
from servicedesk.tickets.services import (
    attachment_add,
    ticket_assign,
    ticket_create,
    ticket_transition,
)
from servicedesk.tickets.services.replies import reply_add


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def reset(org: Org) -> RequestType:
    return password_reset_form(org.password_reset)


@pytest.fixture
def desk(client: Client, org: Org) -> Client:
    client.force_login(org.desk)
    return client


def filed(org: Org, reset: RequestType) -> Ticket:
    return ticket_create(
        actor=org.employee,
        kind=TicketKind.REQUEST,
        short_description="Password reset",
        request_type=reset,
        answers={"system": "Other", "other_system": "Payroll", "callback": "no"},
    )


def test_the_agent_sees_answers_files_and_the_urgent_flag(
    desk: Client, org: Org, reset: RequestType
) -> None:
    ticket = filed(org, reset)
    attachment_add(
        ticket, actor=org.employee, upload=SimpleUploadedFile("screen.png", b"\x89PNG....")
    )
    reply_add(ticket, actor=org.employee, body="Payday is today", urgent=True)
    page = desk.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert "Answers to Password reset" in page
    assert "Which other system?" in page and "Payroll" in page
    screenshot = Attachment.objects.get()
    assert f'src="/portal/attachments/{screenshot.pk}/"' in page  # previewed
    assert 'data-testid="ticket-urgent"' in page
    queue = desk.get("/workspace/queues/new/").content.decode()
    assert 'data-testid="queue-urgent"' in queue
    # The agent opens the file through the same policy as the requester.
    opened = desk.get(f"/portal/attachments/{screenshot.pk}/")
    assert opened.status_code == 200
    assert opened["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_agent_replies_with_a_file_the_requester_can_open(
    desk: Client, client: Client, org: Org, reset: RequestType
) -> None:
    ticket = filed(org, reset)
    response = desk.post(
        f"/workspace/tickets/{ticket.number}/comment/",
        {
            "body": "Here is the guide",
            "internal": "0",
            "attachments": SimpleUploadedFile("guide.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 302
    guide = Attachment.objects.get()
    assert guide.comment is not None
    assert (guide.comment.body, guide.uploaded_by) == ("Here is the guide", org.desk)
    desk.post(
        f"/workspace/tickets/{ticket.number}/comment/",
        {
            "body": "Staff only",
            "internal": "1",
            "attachments": SimpleUploadedFile("notes.txt", b"secret"),
        },
    )
    notes = Attachment.objects.get(original_name="notes.txt")
    client.force_login(org.employee)
    assert client.get(f"/portal/attachments/{guide.pk}/").status_code == 200
    assert client.get(f"/portal/attachments/{notes.pk}/").status_code == 404


def test_a_file_over_the_limit_is_named_beside_the_field_and_the_reply_kept(
    desk: Client, org: Org, reset: RequestType, settings
) -> None:
    settings.SERVICEDESK_ATTACHMENT_MAX_BYTES = 1_048_576
    ticket = filed(org, reset)
    response = desk.post(
        f"/workspace/tickets/{ticket.number}/comment/",
        {
            "body": "My long reply stays",
            "internal": "0",
            "attachments": SimpleUploadedFile("big.zip", b"0" * 2_000_000),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "big.zip was not attached: it is 1.9 MB and files may be at most 1 MB." in page
    assert 'data-testid="error-attachments"' in page
    assert "My long reply stays" in page
    assert not ticket.comments.exists()


def test_another_requesters_files_are_404(client: Client, org: Org, reset: RequestType) -> None:
    ticket = filed(org, reset)
    file = attachment_add(ticket, actor=org.employee, upload=SimpleUploadedFile("a.png", b"x"))
    client.force_login(org.stranger)
    assert client.get(f"/portal/attachments/{file.pk}/").status_code == 404


def test_triage_and_log_a_call_set_the_request_type(
    desk: Client, org: Org, reset: RequestType
) -> None:
    ticket = ticket_create(
        actor=org.employee, kind=TicketKind.REQUEST, short_description="Can't sign in"
    )
    for page in (f"/workspace/tickets/{ticket.number}/", "/workspace/call/"):
        assert (
            f'<option value="{reset.pk}">Password reset</option>' in desk.get(page).content.decode()
        )
    response = desk.post(
        f"/workspace/tickets/{ticket.number}/triage/",
        {"version": ticket.version, "channel": "portal", "request_type": reset.pk},
    )
    assert response.status_code == 302, response.content.decode()
    ticket.refresh_from_db()
    assert ticket.request_type == reset
    assert ticket.history.filter(field="request_type").exists()
    desk.post(
        "/workspace/call/",
        {
            "caller": org.colleague.pk,
            "channel": "phone",
            "kind": "request",
            "short_description": "Locked out",
            "request_type": reset.pk,
        },
    )
    called = Ticket.objects.get(short_description="Locked out")
    assert (called.request_type, called.requester, called.requested_by) == (
        reset,
        org.colleague,
        org.desk,
    )


def test_the_satisfaction_rating_and_comment_show_on_the_ticket_and_the_groups_home(
    desk: Client, org: Org, reset: RequestType
) -> None:
    ticket = filed(org, reset)
    ticket_assign(ticket, actor=org.desk, version=None, group=org.desk_group, assignee=org.desk)
    for state in (TicketState.IN_PROGRESS, TicketState.RESOLVED, TicketState.CLOSED):
        ticket = ticket_transition(ticket, actor=org.desk, version=None, to=state, note="done")
    SatisfactionSurvey.objects.create(
        ticket=ticket, respondent=org.employee, rating=4, comment="Quick, thanks"
    )
    page = desk.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    assert "4/5" in page and "Quick, thanks" in page
    # On the workspace home of the group's people, not of other groups'.
    home = desk.get("/workspace/").content.decode()
    assert "Quick, thanks" in home
    desk.force_login(org.network)
    assert "Quick, thanks" not in desk.get("/workspace/").content.decode()


@pytest.mark.parametrize("who", ["desk", "network"])
def test_the_workspace_home_compiles_none_of_its_reads_after_the_first(
    desk: Client, org: Org, who: str
) -> None:
    """Its counts, lists and answers are kept statements (`core.kept_queries`), the scoped
    agent's too: compiling them was several ms of CPU on every home at a million tickets."""
    agent, group = getattr(org, who), getattr(org, f"{who}_group")
    mine = ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="Hum")
    ticket_assign(mine, actor=org.desk, version=None, group=group, assignee=agent)
    desk.force_login(agent)
    desk.get("/workspace/")
    with compilations() as compiled:
        home = desk.get("/workspace/").content.decode()
    assert mine.number in home and group.name in home
    assert compiled == [], compiled


def test_the_queue_search_finds_a_ticket_by_its_answers(
    desk: Client, org: Org, reset: RequestType
) -> None:
    ticket = filed(org, reset)  # answered "Payroll" for the other system
    other = ticket_create(actor=org.employee, kind=TicketKind.REQUEST, short_description="Mouse")
    found = desk.get("/workspace/queues/new/", {"q": "payroll"}).content.decode()
    assert ticket.number in found and other.number not in found
