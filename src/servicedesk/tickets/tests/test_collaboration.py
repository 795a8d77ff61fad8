import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from servicedesk.conftest import Org
from servicedesk.tickets.choices import LinkKind, TicketKind, TicketState
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_create,
    ticket_link,
    ticket_transition,
)


@pytest.fixture
def incident(org: Org) -> Ticket:
    return ticket_create(actor=org.employee, kind=TicketKind.INCIDENT, short_description="VPN")


def test_an_empty_comment_is_refused_and_a_requester_cannot_write_notes(org: Org, incident):
    with pytest.raises(TicketError) as empty:
        comment_add(incident, actor=org.employee, body="   ")
    assert empty.value.code == TicketErrorCode.EMPTY_COMMENT
    with pytest.raises(TicketError) as note:
        comment_add(incident, actor=org.employee, body="secret", internal=True)
    assert note.value.code == TicketErrorCode.NOT_PERMITTED
    assert not incident.comments.exists()


def test_a_comment_does_not_make_an_agents_open_edit_stale(org: Org, incident) -> None:
    comment_add(incident, actor=org.employee, body="Any news?")
    assert Ticket.objects.get(pk=incident.pk).version == incident.version
    assert incident.history.filter(action="comment.public").exists()


def test_attachments_are_stored_under_generated_names(org: Org, incident, tmp_path) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        upload = SimpleUploadedFile(
            "../../etc/passwd screenshot.png", b"\x89PNG fake", content_type="text/html"
        )
        attachment = attachment_add(incident, actor=org.employee, upload=upload)
    assert attachment.original_name == "passwd screenshot.png"
    assert attachment.content_type == "image/png"
    assert "passwd" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    assert incident.history.filter(action="attachment.add", after="passwd screenshot.png").exists()


def test_an_attachment_over_the_limit_is_refused_with_its_size(org: Org, incident) -> None:
    with override_settings(SERVICEDESK_ATTACHMENT_MAX_BYTES=1024):
        upload = SimpleUploadedFile("dump.bin", b"x" * 2048)
        with pytest.raises(TicketError) as refused:
            attachment_add(incident, actor=org.employee, upload=upload)
    assert refused.value.code == TicketErrorCode.ATTACHMENT_TOO_LARGE
    assert "dump.bin" in refused.value.message
    assert not Attachment.objects.exists()


def test_a_duplicate_adds_its_requester_to_the_first_report(org: Org, incident) -> None:
    second = ticket_create(
        actor=org.desk,
        requester=org.colleague,
        kind=TicketKind.INCIDENT,
        short_description="VPN down for me too",
    )
    ticket_link(second, incident, actor=org.desk, kind=LinkKind.DUPLICATE_OF)
    assert org.colleague in incident.affected_people.all()
    with pytest.raises(TicketError) as again:
        ticket_link(second, incident, actor=org.desk, kind=LinkKind.DUPLICATE_OF)
    assert again.value.code == TicketErrorCode.LINK_EXISTS
    with pytest.raises(TicketError) as to_self:
        ticket_link(second, second, actor=org.desk, kind=LinkKind.RELATED_TO)
    assert to_self.value.code == TicketErrorCode.LINK_TO_SELF


def test_a_parent_with_open_tasks_closes_only_when_a_lead_forces_it(org: Org, incident) -> None:
    task = ticket_create(
        actor=org.desk,
        requester=org.employee,
        kind=TicketKind.TASK,
        short_description="Swap router",
        assignment_group=org.network_group,
    )
    ticket_link(task, incident, actor=org.desk, kind=LinkKind.CHILD_OF)
    with pytest.raises(TicketError) as refused:
        ticket_transition(
            incident, actor=org.desk, version=incident.version, to=TicketState.RESOLVED, note="done"
        )
    assert refused.value.code == TicketErrorCode.OPEN_TASKS
    assert task.number in refused.value.message
    with pytest.raises(TicketError) as not_lead:
        ticket_transition(
            incident,
            actor=org.desk,
            version=incident.version,
            to=TicketState.RESOLVED,
            note="done",
            force_reason="urgent",
        )
    assert not_lead.value.code == TicketErrorCode.FORCE_NOT_ALLOWED
    resolved = ticket_transition(
        incident,
        actor=org.lead,
        version=incident.version,
        to=TicketState.RESOLVED,
        note="done",
        force_reason="Task tracked by the vendor",
    )
    assert resolved.state == TicketState.RESOLVED
    assert resolved.history.filter(action="ticket.force_close").exists()


def test_a_program_is_refused_whichever_face_uploads_it(org: Org, incident) -> None:
    upload = SimpleUploadedFile("invoice.pdf.exe", b"MZ")
    with pytest.raises(TicketError) as refused:
        attachment_add(incident, actor=org.employee, upload=upload)
    assert refused.value.code == TicketErrorCode.ATTACHMENT_FORBIDDEN_TYPE
    assert "invoice.pdf.exe was not attached" in refused.value.message
    assert not Attachment.objects.exists()
