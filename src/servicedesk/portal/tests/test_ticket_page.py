from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import (
    attachment_add,
    comment_add,
    ticket_assign,
    ticket_transition,
)

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def resolve(ticket: Ticket, org: Org) -> Ticket:
    ticket_transition(ticket, actor=org.desk, version=None, to=TicketState.IN_PROGRESS)
    return ticket_transition(
        ticket, actor=org.desk, version=None, to=TicketState.RESOLVED, note="Router replaced"
    )


def test_the_page_shows_the_public_timeline_but_never_internal_notes(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    ticket_assign(incident, actor=org.desk, version=None, group=org.network_group)
    comment_add(incident, actor=org.desk, body="Could you restart the laptop?")
    comment_add(incident, actor=org.desk, body="Probably the user's fault", internal=True)
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert "Could you restart the laptop?" in page
    assert "Assigned to the Network team." in page
    assert "State changed to assigned." in page
    assert "Probably the user" not in page


def test_another_employee_gets_404_for_page_comment_attachment_and_live(
    client: Client, org: Org, incident: Ticket
) -> None:
    comment = comment_add(incident, actor=org.employee, body="mine")
    attachment = attachment_add(
        incident, actor=org.employee, upload=SimpleUploadedFile("a.png", b"png")
    )
    client.force_login(org.stranger)
    number = incident.number
    for url in (
        reverse("portal:ticket", args=[number]),
        reverse("portal:ticket_live", args=[number]),
        reverse("portal:filed", args=[number]),
        reverse("portal:comment", args=[number, comment.pk]),
        reverse("portal:attachment", args=[attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("reply", "confirm", "dispute", "survey"):
        assert (
            client.post(reverse(f"portal:{name}", args=[number]), {"body": "x"}).status_code == 404
        )
    assert not incident.comments.filter(author=org.stranger).exists()


def test_an_internal_notes_comment_url_is_not_found_for_the_requester(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    note = comment_add(incident, actor=org.desk, body="internal", internal=True)
    url = reverse("portal:comment", args=[incident.number, note.pk])
    assert employee_client.get(url).status_code == 404
    public = comment_add(incident, actor=org.desk, body="public")
    url = reverse("portal:comment", args=[incident.number, public.pk])
    assert employee_client.get(url)["Location"].endswith(f"#comment-{public.pk}")


def test_files_are_downloads_except_safe_images_and_never_sniffed(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    html = attachment_add(
        incident, actor=org.employee, upload=SimpleUploadedFile("page.html", XSS.encode())
    )
    image = attachment_add(
        incident, actor=org.employee, upload=SimpleUploadedFile("shot.png", b"\x89PNG")
    )
    download = employee_client.get(reverse("portal:attachment", args=[html.pk]))
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    inline = employee_client.get(reverse("portal:attachment", args=[image.pk]))
    assert inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline.getvalue() == b"\x89PNG"


def test_the_live_fragment_answers_204_or_304_until_something_changes(
    employee_client: Client, org: Org, incident: Ticket, django_assert_max_num_queries
) -> None:
    url = reverse("portal:ticket_live", args=[incident.number])
    first = employee_client.get(url)
    etag = first["ETag"]
    fingerprint = etag.strip('"')
    assert first.status_code == 200 and "New" in first.content.decode()
    # Each unchanged poll costs three small queries: session, user, the ticket's fingerprint.
    with django_assert_max_num_queries(3):
        assert employee_client.get(url, {"since": fingerprint}).status_code == 204
    with django_assert_max_num_queries(3):
        assert employee_client.get(url, headers={"If-None-Match": etag}).status_code == 304
    comment_add(incident, actor=org.desk, body="On it")
    changed = employee_client.get(url, {"since": fingerprint})
    assert changed.status_code == 200
    assert "On it" in changed.content.decode()
    assert changed["ETag"] != etag


def test_a_reply_with_a_file_and_an_urgent_flag(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    response = employee_client.post(
        reverse("portal:reply", args=[incident.number]),
        {
            "body": "Everyone is blocked",
            "urgent": "1",
            "attachments": [SimpleUploadedFile("s.png", b"p")],
        },
    )
    comment = incident.comments.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert "Urgent</span>" in page and "s.png" in page


def test_an_empty_reply_is_refused_next_to_the_field(
    employee_client: Client, incident: Ticket
) -> None:
    response = employee_client.post(reverse("portal:reply", args=[incident.number]), {"body": ""})
    assert response.status_code == 400
    assert 'data-testid="error-body"' in response.content.decode()


def test_confirm_then_survey_once(employee_client: Client, org: Org, incident: Ticket) -> None:
    resolve(incident, org)
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert "Router replaced" in page and "No, reopen it" in page
    employee_client.post(reverse("portal:confirm", args=[incident.number]))
    assert Ticket.objects.get(pk=incident.pk).state == TicketState.CLOSED
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert "How did we do?" in page
    employee_client.post(
        reverse("portal:survey", args=[incident.number]), {"rating": "4", "comment": XSS}
    )
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert "How did we do?" not in page and "You rated this ticket 4 out of 5" in page
    again = employee_client.post(reverse("portal:survey", args=[incident.number]), {"rating": "1"})
    assert again.status_code == 400


@pytest.mark.parametrize("days_after", [1, 4])
def test_dispute_within_the_window_only(
    employee_client: Client, org: Org, incident: Ticket, settings, days_after: int
) -> None:
    settings.SERVICEDESK_DISPUTE_WINDOW_DAYS = 3
    resolve(incident, org)
    Ticket.objects.filter(pk=incident.pk).update(
        resolved_at=timezone.now() - timedelta(days=days_after)
    )
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    assert ("No, reopen it" in page) == (days_after < 3)
    response = employee_client.post(
        reverse("portal:dispute", args=[incident.number]), {"reason": "Still broken"}
    )
    state = Ticket.objects.get(pk=incident.pk).state
    if days_after < 3:
        assert state == TicketState.IN_PROGRESS
        reopened = employee_client.get(reverse("portal:ticket", args=[incident.number]))
        assert "Reason: Still broken" in reopened.content.decode()
    else:
        assert response.status_code == 400 and state == TicketState.RESOLVED


def test_what_a_requester_typed_is_escaped_everywhere(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    Ticket.objects.filter(pk=incident.pk).update(short_description=XSS, description=XSS)
    comment_add(incident, actor=org.employee, body=XSS)
    attachment_add(incident, actor=org.employee, upload=SimpleUploadedFile(XSS + ".png", b"p"))
    for url in (
        reverse("portal:ticket", args=[incident.number]),
        reverse("portal:ticket_live", args=[incident.number]),
        reverse("portal:home"),
    ):
        page = employee_client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url


def test_a_resolved_ticket_no_longer_promises_target_times_after_triage(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    from servicedesk.tickets.services import ticket_triage
    from servicedesk.tickets.ticket_page import NEXT_STEP

    ticket_triage(
        incident,
        actor=org.desk,
        version=None,
        changes={"impact": "individual", "severity": "degradation"},
        group=org.desk_group,
        assignee=None,
    )
    resolve(incident, org)
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    start = page.index('data-testid="next-step">') + len('data-testid="next-step">')
    said = page[start : page.index("</dd>", start)].strip()
    assert said == NEXT_STEP[TicketState.RESOLVED].replace("'", "&#x27;")


def test_the_requester_sees_who_is_affected(
    employee_client: Client, org: Org, incident: Ticket
) -> None:
    from servicedesk.tickets.services import ticket_set_affected

    ticket_set_affected(incident, actor=org.desk, people=[org.employee, org.colleague])
    page = employee_client.get(reverse("portal:ticket", args=[incident.number])).content.decode()
    start = page.index('data-testid="affected"')
    assert "Colleague (Service Oklahoma)" in page[start : start + 300]
