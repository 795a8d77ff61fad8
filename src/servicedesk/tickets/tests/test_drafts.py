from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.draft_selectors import draft_get, drafts_of
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Attachment, DraftAttachment, Ticket, TicketDraft
from servicedesk.tickets.services.drafts import draft_delete, draft_save, draft_submit, ticket_file


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_draft_keeps_half_written_fields_people_and_files(org: Org, media: Path) -> None:
    draft = draft_save(
        None,
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="",
        description="It started this morning",
        affected_people=[org.employee, org.colleague],
        uploads=[SimpleUploadedFile("../error shot.png", b"\x89PNG")],
    )
    again = draft_get(org.employee, draft.pk)
    assert again.description == "It started this morning"
    assert set(again.affected_people.all()) == {org.employee, org.colleague}
    staged = again.attachments.get()
    assert staged.original_name == "error shot.png"
    assert "error" not in staged.file.name
    assert len(stored_files(media)) == 1


def test_a_draft_is_its_owners_alone(org: Org) -> None:
    draft = draft_save(
        None, actor=org.employee, kind=TicketKind.REQUEST, short_description="x", description=""
    )
    assert list(drafts_of(org.colleague)) == []
    assert list(drafts_of(org.desk)) == []
    with pytest.raises(TicketDraft.DoesNotExist):
        draft_get(org.colleague, draft.pk)
    for attempt in (
        lambda: draft_submit(draft, actor=org.colleague),
        lambda: draft_delete(draft, actor=org.desk),
        lambda: draft_save(
            draft,
            actor=org.colleague,
            kind=TicketKind.REQUEST,
            short_description="mine now",
            description="",
        ),
    ):
        with pytest.raises(TicketError) as refused:
            attempt()
        assert refused.value.code == TicketErrorCode.NOT_PERMITTED
    assert TicketDraft.objects.get(pk=draft.pk).short_description == "x"


def test_submitting_files_the_ticket_with_people_and_files_and_drops_the_draft(
    org: Org, media: Path, django_capture_on_commit_callbacks
) -> None:
    draft = draft_save(
        None,
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="Printer offline",
        description="Room 210",
        affected_people=[org.employee, org.colleague],
        uploads=[SimpleUploadedFile("a.png", b"one"), SimpleUploadedFile("b.txt", b"two")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = draft_submit(draft, actor=org.employee)
    assert ticket.number.startswith("INC")
    assert ticket.requester == org.employee
    assert set(ticket.affected_people.all()) == {org.employee, org.colleague}
    names = sorted(Attachment.objects.filter(ticket=ticket).values_list("original_name", flat=True))
    assert names == ["a.png", "b.txt"]
    assert Attachment.objects.get(original_name="b.txt").file.read() == b"two"
    assert not TicketDraft.objects.exists()
    assert not DraftAttachment.objects.exists()
    # Staged copies are gone once the ticket holds its own.
    assert len(stored_files(media)) == 2
    assert ticket.history.filter(action="attachment.add").count() == 2


def test_a_refused_submit_keeps_the_draft_and_files_nothing(org: Org) -> None:
    draft = draft_save(
        None, actor=org.employee, kind=TicketKind.REQUEST, short_description="", description="d"
    )
    with pytest.raises(TicketError) as refused:
        draft_submit(draft, actor=org.employee)
    assert refused.value.code == TicketErrorCode.REQUIRED
    assert TicketDraft.objects.filter(pk=draft.pk).exists()
    assert not Ticket.objects.exists()


def test_removing_a_staged_file_and_deleting_a_draft_clean_up_storage(
    org: Org, media: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        draft = draft_save(
            None,
            actor=org.employee,
            kind=TicketKind.REQUEST,
            short_description="Laptop",
            description="",
            uploads=[SimpleUploadedFile("a.pdf", b"1"), SimpleUploadedFile("b.pdf", b"2")],
        )
        first = draft.attachments.get(original_name="a.pdf")
        draft_save(
            draft,
            actor=org.employee,
            kind=TicketKind.REQUEST,
            short_description="Laptop",
            description="",
            remove_attachment_ids=[first.pk],
        )
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["b.pdf"]
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        draft_delete(draft, actor=org.employee)
    assert not TicketDraft.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("name", ["setup.exe", "INVOICE.PDF.EXE", "run.ps1", "x.bat. "])
def test_forbidden_files_are_refused_by_the_services_too(org: Org, name: str) -> None:
    for attempt in (
        lambda: draft_save(
            None,
            actor=org.employee,
            kind=TicketKind.REQUEST,
            short_description="x",
            description="",
            uploads=[SimpleUploadedFile(name, b"MZ")],
        ),
        lambda: ticket_file(
            actor=org.employee,
            kind=TicketKind.REQUEST,
            short_description="x",
            description="",
            uploads=[SimpleUploadedFile(name, b"MZ")],
        ),
    ):
        with pytest.raises(TicketError) as refused:
            attempt()
        assert refused.value.field == "attachments"
        assert "not attached" in refused.value.message
    assert not TicketDraft.objects.exists()
    assert not Ticket.objects.exists()


def test_only_staff_file_for_other_agencies_and_only_incidents_or_requests(org: Org) -> None:
    with pytest.raises(TicketError) as behalf:
        ticket_file(
            actor=org.employee,
            kind=TicketKind.REQUEST,
            short_description="x",
            description="",
            requester=org.stranger,
        )
    assert behalf.value.code == TicketErrorCode.NOT_PERMITTED
    with pytest.raises(TicketError) as kind:
        draft_save(
            None, actor=org.desk, kind=TicketKind.PROBLEM, short_description="x", description=""
        )
    assert kind.value.code == TicketErrorCode.INVALID_VALUE
    filed = ticket_file(
        actor=org.desk,
        kind=TicketKind.REQUEST,
        short_description="New laptop for Colleague",
        description="",
        requester=org.colleague,
    )
    assert (filed.requester, filed.requested_by) == (org.colleague, org.desk)


def test_a_failing_attachment_rolls_the_whole_filing_back(org: Org, monkeypatch) -> None:
    from servicedesk.tickets.services import drafts

    def broken(*args, **kwargs):
        raise TicketError(TicketErrorCode.ATTACHMENT_TOO_LARGE, "disk full", field="attachments")

    monkeypatch.setattr(drafts, "attachment_add", broken)
    with pytest.raises(TicketError), transaction.atomic():
        ticket_file(
            actor=org.employee,
            kind=TicketKind.INCIDENT,
            short_description="x",
            description="",
            affected_people=[org.colleague],
            uploads=[SimpleUploadedFile("a.png", b"1")],
        )
    assert not Ticket.objects.exists()
