"""The notifications page: a person's own inbox, marking read, and their mail preferences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.notifications.choices import NotificationKind as K
from servicedesk.notifications.context_processors import notifications
from servicedesk.notifications.models import Notification, NotificationPreference, OutboundEmail
from servicedesk.notifications.services import MAIL_SWITCHES, OPTIONAL_MAIL, preferences_save
from servicedesk.tickets.choices import TicketKind, TicketState
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_transition

INBOX = "/notifications/"


def signed_in(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client


@pytest.fixture
def ticket(org: Org) -> Ticket:
    """Filing it gives the employee one unread notification (the acknowledgement)."""
    return ticket_create(
        actor=org.employee,
        kind=TicketKind.INCIDENT,
        short_description="VPN drops every hour",
        affected_people=[org.colleague],
    )


def note_for(person: Person, title: str, ticket: Ticket | None = None, **extra) -> Notification:
    return Notification.objects.create(
        recipient=person, kind=K.GENERAL, title=title, ticket=ticket, **extra
    )


def status_mails_to(address: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=K.STATUS, to_address=address))


def test_anonymous_people_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_lists_only_my_own_newest_first_unread_marked(
    org: Org, client: Client, ticket: Ticket
) -> None:
    now = timezone.now()
    note_for(org.employee, "Older and read", ticket, created_at=now - timedelta(hours=2))
    Notification.objects.filter(title="Older and read").update(read_at=now)
    note_for(org.employee, "Newest", ticket, created_at=now + timedelta(minutes=1))
    note_for(org.colleague, "Someone else's secret", ticket)
    html = signed_in(client, org.employee).get(INBOX).content.decode()
    assert "Someone else&#x27;s secret" not in html and "secret" not in html
    newest, ack, older = html.index("Newest"), html.index(ticket.number), html.index("Older")
    assert newest < ack < older
    assert html.count("data-unread") == 2  # the newest and the acknowledgement
    # The nav's badge counts the same two.
    assert 'data-testid="unread-badge">2<' in html


def test_the_page_is_paged_by_25(org: Org, client: Client) -> None:
    start = timezone.now()
    for n in range(30):
        note_for(org.employee, f"Note {n:02}", created_at=start + timedelta(seconds=n))
    signed_in(client, org.employee)
    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert first.count('data-testid="notification"') == 25
    assert "Note 29" in first and "Note 05" in first and "Note 04" not in first
    assert second.count('data-testid="notification"') == 5
    assert "Note 04" in second and "Note 00" in second


def test_opening_one_marks_it_read_and_goes_to_the_ticket(
    org: Org, client: Client, ticket: Ticket
) -> None:
    [ack] = Notification.objects.filter(recipient=org.employee)
    response = signed_in(client, org.employee).get(reverse("notifications:open", args=[ack.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    ack.refresh_from_db()
    assert ack.read_at is not None


def test_staff_are_sent_to_the_workspace_ticket_page(
    org: Org, client: Client, ticket: Ticket
) -> None:
    note = note_for(org.desk, "Assigned", ticket)
    response = signed_in(client, org.desk).get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == f"/workspace/tickets/{ticket.number}/"


def test_someone_elses_notification_is_a_404_and_stays_unread(
    org: Org, client: Client, ticket: Ticket
) -> None:
    [theirs] = Notification.objects.filter(recipient=org.employee)
    signed_in(client, org.colleague)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[999_999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_marks_only_mine(org: Org, client: Client, ticket: Ticket) -> None:
    note_for(org.employee, "Another", ticket)
    note_for(org.colleague, "Not mine", ticket)
    signed_in(client, org.employee)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "Marked 2 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=org.employee, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=org.colleague, read_at__isnull=True).exists()
    assert 'data-testid="unread-badge"' not in response.content.decode()


def test_the_form_offers_what_is_optional_and_explains_what_is_not(
    org: Org, client: Client
) -> None:
    requester = signed_in(client, org.employee).get(INBOX).content.decode()
    assert 'value="status"' in requester and 'value="reply"' in requester
    # A requester is never assigned a ticket nor told of SLAs: not offered.
    assert 'value="assignment"' not in requester and 'value="sla_warning"' not in requester
    assert "cannot be turned off" in requester
    assert "acknowledgement" in requester and "resolution notice" in requester
    staff = signed_in(Client(), org.desk).get(INBOX).content.decode()
    for value in ("status", "reply", "assignment", "sla_warning"):
        assert f'value="{value}"' in staff


def test_preferences_are_saved_then_respected(org: Org, client: Client, ticket: Ticket) -> None:
    signed_in(client, org.employee)
    response = client.post(reverse("notifications:preferences"), {"kinds": ["reply"]}, follow=True)
    html = response.content.decode()
    assert "Your e-mail preferences are saved." in html
    assert 'value="status" class="form-check-input" id="id_kinds_0">' in html  # unticked
    assert 'value="reply" class="form-check-input" id="id_kinds_1" checked>' in html
    saved = NotificationPreference.objects.get(person=org.employee)
    assert not saved.email_status_updates and saved.email_replies
    # Not offered to a requester, so left as they were.
    assert saved.email_assignments and saved.email_sla_alerts

    ticket = ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.IN_PROGRESS
    )
    assert status_mails_to(org.employee.email) == []
    assert len(status_mails_to(org.colleague.email)) == 1  # the affected colleague still wants it
    # In-app is never switched off.
    assert Notification.objects.filter(recipient=org.employee, kind=K.STATUS).count() == 1
    ticket_transition(
        ticket, actor=org.desk, version=ticket.version, to=TicketState.RESOLVED, note="Done"
    )
    resolution = OutboundEmail.objects.filter(kind=K.RESOLUTION, to_address=org.employee.email)
    assert resolution.count() == 1  # not optional


def test_an_unknown_choice_is_refused(org: Org, client: Client) -> None:
    signed_in(client, org.employee)
    response = client.post(reverse("notifications:preferences"), {"kinds": ["acknowledgement"]})
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(person=org.employee).exists()


def test_preferences_save_covers_every_optional_kind(org: Org) -> None:
    preferences_save(org.desk, [K.SLA_WARNING, K.ACKNOWLEDGEMENT])
    saved = NotificationPreference.objects.get(person=org.desk)
    assert saved.email_sla_alerts
    assert not (saved.email_status_updates or saved.email_replies or saved.email_assignments)
    assert {kind for _, kinds, _ in MAIL_SWITCHES for kind in kinds} == set(OPTIONAL_MAIL)
    assert K.ACKNOWLEDGEMENT not in OPTIONAL_MAIL and K.RESOLUTION not in OPTIONAL_MAIL


def test_the_badge_costs_one_query_and_nothing_when_signed_out(
    org: Org, client: Client, django_assert_num_queries
) -> None:
    # Signed out, the sign-in page reads only the OpenID providers it offers buttons for (and
    # again for its policy's form targets): no session, no user, no count.
    with django_assert_num_queries(2):
        assert client.get("/accounts/login/").status_code == 200
    signed_in(client, org.employee)
    note_for(org.employee, "Hello")
    # session, user, page COUNT, page rows, preferences, and the badge's one COUNT
    with django_assert_num_queries(6):
        html = client.get(INBOX).content.decode()
    assert 'data-testid="unread-badge">1<' in html
    # The processor itself counts nothing until a template shows the badge (htmx fragments).
    request = RequestFactory().get("/")
    request.user = org.employee
    with django_assert_num_queries(0):
        badge = notifications(request)["unread_notifications"]
    with django_assert_num_queries(1):
        assert int(badge) == 1 and bool(badge) and str(badge) == "1"
