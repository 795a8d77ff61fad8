from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.tickets.models import Attachment, Ticket, TicketDraft


def test_home_offers_both_choices_status_password_reset_and_drafts(
    employee_client: Client, settings
) -> None:
    settings.SERVICEDESK_PASSWORD_RESET_URL = "https://reset.example/now"
    page = employee_client.get(reverse("portal:home")).content.decode()
    for text in ("Something broken?", "Request assistance", "All systems normal", "My drafts"):
        assert text in page
    assert 'href="https://reset.example/now"' in page
    assert reverse("portal:new", args=["incident"]) in page
    assert reverse("portal:catalog") in page


def test_the_incident_form_marks_seed_000s_required_fields(employee_client: Client) -> None:
    page = employee_client.get(reverse("portal:new", args=["incident"])).content.decode()
    for label in (
        "Short description",
        "Who does this issue affect?",
        "Please describe your issue in more detail",
        "Requested by",
        "Add attachments",
        "Save as Draft",
        "Submit",
    ):
        assert label in page
    assert page.count('class="required-mark"') >= 4
    assert employee_client.get(reverse("portal:new", args=["problem"])).status_code == 404


def test_submitting_an_incident_files_it_with_people_and_files(
    employee_client: Client, org: Org
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["incident"]),
        {
            "action": "submit",
            "short_description": "Printer jams",
            "description": "Room 210",
            "affected": [org.employee.pk, org.colleague.pk],
            "attachments": [SimpleUploadedFile("jam.png", b"png")],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:filed", args=[ticket.number])
    assert set(ticket.affected_people.all()) == {org.employee, org.colleague}
    assert ticket.attachments.get().original_name == "jam.png"
    filed = employee_client.get(response["Location"]).content.decode()
    assert ticket.number in filed
    assert "the time to fix it is set once the desk has triaged it" in filed.lower()


def test_missing_fields_are_named_next_to_each_field_and_the_text_is_kept(
    employee_client: Client,
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["incident"]),
        {"action": "submit", "short_description": "Only this", "description": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-description"' in page
    assert 'data-testid="error-affected"' in page
    assert 'value="Only this"' in page
    assert not Ticket.objects.exists()


def test_a_forbidden_file_is_refused_and_the_rest_of_the_form_kept(
    employee_client: Client, org: Org
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["request"]),
        {
            "action": "submit",
            "short_description": "Need Acrobat",
            "description": "For PDFs",
            "attachments": [SimpleUploadedFile("setup.exe", b"MZ")],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "setup.exe was not attached" in page
    assert 'value="Need Acrobat"' in page and "For PDFs" in page
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_save_as_draft_needs_nothing_and_resumes_with_everything(
    employee_client: Client, org: Org
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["incident"]),
        {
            "action": "draft",
            "short_description": "",
            "description": "Half a thought",
            "affected": [org.colleague.pk],
            "attachments": [SimpleUploadedFile("log.txt", b"log")],
        },
    )
    draft = TicketDraft.objects.get()
    assert response["Location"] == reverse("portal:draft", args=[draft.pk])
    page = employee_client.get(response["Location"]).content.decode()
    assert "Half a thought" in page and "log.txt" in page and str(org.colleague) in page
    submitted = employee_client.post(
        response["Location"],
        {
            "action": "submit",
            "short_description": "Now complete",
            "description": "Half a thought",
            "affected": [org.colleague.pk],
        },
    )
    ticket = Ticket.objects.get()
    assert submitted["Location"] == reverse("portal:filed", args=[ticket.number])
    assert ticket.attachments.get().original_name == "log.txt"
    assert not TicketDraft.objects.exists()


def test_someone_elses_draft_is_not_found(client: Client, org: Org) -> None:
    client.force_login(org.colleague)
    client.post(
        reverse("portal:new", args=["request"]),
        {"action": "draft", "short_description": "secret plan", "description": ""},
    )
    draft = TicketDraft.objects.get()
    client.force_login(org.employee)
    assert client.get(reverse("portal:draft", args=[draft.pk])).status_code == 404
    assert client.post(reverse("portal:draft_delete", args=[draft.pk])).status_code == 404
    assert "secret plan" not in client.get(reverse("portal:home")).content.decode()
    assert TicketDraft.objects.exists()


def test_an_employee_files_for_a_colleague_of_their_agency(
    employee_client: Client, org: Org
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["request"]),
        {
            "action": "submit",
            "short_description": "New badge for my colleague",
            "description": "Lost it",
            "requester": org.colleague.pk,
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.requested_by) == (org.colleague, org.employee)


def test_an_employee_cannot_file_for_someone_of_another_agency(
    employee_client: Client, org: Org
) -> None:
    response = employee_client.post(
        reverse("portal:new", args=["request"]),
        {
            "action": "submit",
            "short_description": "x",
            "description": "typed text stays",
            "requester": org.stranger.pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "You can file for colleagues of your own agency" in page
    assert "typed text stays" in page
    assert not Ticket.objects.exists()


def test_staff_file_on_someones_behalf(client: Client, org: Org) -> None:
    client.force_login(org.desk)
    client.post(
        reverse("portal:new", args=["request"]),
        {
            "action": "submit",
            "short_description": "Phone call: new monitor",
            "description": "Caller asked",
            "requester": org.colleague.pk,
        },
    )
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.requested_by) == (org.colleague, org.desk)
