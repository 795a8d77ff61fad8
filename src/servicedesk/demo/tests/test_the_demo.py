"""The demo `make run` loads: loaded once and again without duplicates, and right after it the
procedures work on it. Every test here shares one load (the `demo` fixture)."""

from __future__ import annotations

from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.api.monitoring import EventState, MonitoringEvent, monitoring_event_receive
from servicedesk.catalog.models import Category, PriorityCode, RequestTypeField
from servicedesk.demo.major_incidents import REPORTS
from servicedesk.demo.operations import DEMO_MAILBOX_ADDRESS
from servicedesk.demo.organisation import DEMO_LOGINS
from servicedesk.directory.models import Location, Person, SupportGroup
from servicedesk.directory.oncall import on_call_now
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.models import Article, KnownError
from servicedesk.knowledge.selectors import articles_matching, articles_search
from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import receive
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import mailbox_for
from servicedesk.notifications.models import Notification
from servicedesk.outages.major import major_incident_declare
from servicedesk.outages.major_selectors import attach_candidates, major_scope
from servicedesk.sla.models import CalendarClosure
from servicedesk.tickets.choices import Channel, TicketKind, TicketState
from servicedesk.tickets.models import Ticket, TicketHistory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def _counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "groups": SupportGroup.objects.count(),
        "tickets": Ticket.objects.count(),
        "history": TicketHistory.objects.count(),
        "codes": PriorityCode.objects.count(),
        "closures": CalendarClosure.objects.count(),
        "questions": RequestTypeField.objects.count(),
        "articles": Article.objects.count(),
        "known errors": KnownError.objects.count(),
        "mailboxes": Mailbox.objects.count(),
    }


def test_a_second_run_of_the_demo_changes_nothing() -> None:
    first = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == first
    assert "already present" in out.getvalue()
    assert Mailbox.objects.filter(address=DEMO_MAILBOX_ADDRESS).count() == 1


def test_the_demo_has_tickets_of_every_kind_state_and_channel() -> None:
    counts = _counts()
    assert 55 <= counts["tickets"] <= 70
    # The catalog offers request types with their own questions, a conditional one among them.
    reset_questions = RequestTypeField.objects.filter(request_type__slug="password-reset")
    assert reset_questions.filter(shown_when__isnull=False).exists()
    assert counts["questions"] >= 10
    assert {login.username for login in DEMO_LOGINS} <= set(
        Person.objects.values_list("username", flat=True)
    )
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("kind", flat=True)) == set(TicketKind.values)
    states = set(tickets.values_list("state", flat=True))
    assert {
        TicketState.NEW,
        TicketState.IN_PROGRESS,
        TicketState.RESOLVED,
        TicketState.CLOSED,
        TicketState.REDIRECTED,
    } <= states
    assert len(set(tickets.values_list("channel", flat=True))) >= len(Channel) - 1
    assert len(set(tickets.exclude(priority="").values_list("priority", flat=True))) == 4
    networks = set(Location.objects.values_list("network", flat=True))
    assert networks == {"state_fiber", "remote"}
    assert Category.objects.get(number=1).codes.get(code=5).has_sla is False
    assert CalendarClosure.objects.filter(name__contains="Thanksgiving").exists()


def test_the_demo_knowledge_base_answers_common_questions() -> None:
    assert Article.objects.filter(state=ArticleState.PUBLISHED).count() >= 10
    assert Article.objects.count() == Article.objects.values("title").distinct().count()
    assert KnownError.objects.filter(state=KnownErrorState.OPEN).count() == 2
    employee = Person.objects.filter(role="requester").first()
    assert employee is not None
    found = articles_search("vpn password", viewer=employee)
    assert found[0].title == "Reset your VPN password"
    assert all("printer" not in article.title.lower() for article in found)
    assert articles_matching("outlook keeps crashing")[0].title == "Rebuild your Outlook profile"


def test_the_demo_licensing_outage_can_be_declared_and_tells_its_plan() -> None:
    desk = Person.objects.get(username="desk")
    titles = [text for _, _, text in REPORTS]
    reports = list(Ticket.objects.filter(short_description__in=titles).order_by("pk"))
    parent, *others = reports
    on_call = on_call_now(SupportGroup.objects.get(name="Application Support"))
    assert on_call is not None and on_call.person is not None

    assert set(others) <= set(attach_candidates(desk, parent))
    major = major_incident_declare(
        parent, actor=desk, public_message="The licensing application is down.", children=others
    )

    told = set(
        Notification.objects.filter(title__startswith="Major incident").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"deskld", "manager", on_call.person.username}
    scope = major_scope(major)
    counts = {row.label: row.count for row in scope.by_channel}
    assert (counts["Phone"], counts["Voicemail"], counts["Email"]) == (1, 1, 1)
    assert {s.name for s in scope.related_services} == set()
    assert len(scope.agencies) == 2


def test_mail_to_the_demo_desk_becomes_a_ticket_for_the_l1_desk() -> None:
    message = EmailMessage()
    message["From"] = "Emma Porter <employee@ok.example>"
    message["To"] = DEMO_MAILBOX_ADDRESS
    message["Subject"] = "The third-floor printer jams"
    message["Message-ID"] = "<demo-test-1@ok.example>"
    message.set_content("It jams on every page since this morning.")

    # What the SMTP receiver `make run` starts does for each message.
    mailbox = mailbox_for(DEMO_MAILBOX_ADDRESS)
    assert mailbox is not None
    receive(mailbox, message.as_bytes())

    row = InboundMessage.objects.get()
    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None
    assert row.ticket.requester.username == "employee"
    assert row.ticket.assignment_group is not None
    assert row.ticket.assignment_group.name == "OMES Service Desk"


def test_an_alert_for_a_core_switch_opens_a_network_incident() -> None:
    event = MonitoringEvent(
        source="zabbix", resource="core-sw-01", check="ping", state=EventState.PROBLEM
    )
    result = monitoring_event_receive(event, actor=Person.objects.get(username="desk"))
    assert result.alert is not None
    assert result.alert.ticket.service is not None
    assert result.alert.ticket.service.name == "Network and internet"
