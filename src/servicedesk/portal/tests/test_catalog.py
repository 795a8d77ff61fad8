"""Request assistance from the catalog: request types, their own forms, answers and access."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.api.services import token_create
from servicedesk.api.tests.conftest import ApiClient
from servicedesk.catalog.models import Category, RequestType
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.knowledge.services import article_create, article_publish
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule, TicketClock
from servicedesk.tickets.models import RequestAnswer, Ticket, TicketDraft


@pytest.fixture
def reset(org: Org) -> RequestType:
    accounts = Category.objects.create(number=2, name="Accounts and access")
    org.password_reset.default_category = accounts
    org.password_reset.default_group = org.desk_group
    org.password_reset.description = "Locked out? We reset it within 20 minutes."
    org.password_reset.save()
    for metric, minutes in ((Metric.RESPONSE, 10), (Metric.RESOLUTION, 20)):
        SlaRule.objects.create(
            metric=metric,
            position=1,
            name=f"Password reset: {minutes} minutes",
            request_type=org.password_reset,
            target_kind=TargetKind.DURATION,
            minutes=minutes,
        )
    return password_reset_form(org.password_reset)


def url(request_type: RequestType) -> str:
    return reverse("portal:request_type", args=[request_type.slug])


GOOD = {
    "action": "submit",
    "short_description": "Password reset",
    "answer_system": "E-mail",
    "answer_callback": "yes",
    "answer_last_day": "2026-03-31",
    "answer_apps": ["VPN", "Payroll"],
}


def test_the_catalog_lists_request_types_by_category_beside_articles(
    employee_client: Client, org: Org, reset: RequestType
) -> None:
    RequestType.objects.create(slug="monitor", name="New monitor")
    article = article_create(actor=org.desk, title="Reset your own password", body="Self-service.")
    article_publish(article, actor=org.desk)
    page = employee_client.get(reverse("portal:catalog")).content.decode()
    assert "Accounts and access" in page
    assert page.index("Password reset") < page.index("Other requests") < page.index("New monitor")
    found = employee_client.get(reverse("portal:catalog"), {"q": "password"}).content.decode()
    assert url(reset) in found
    assert "New monitor" not in found
    assert "Reset your own password" in found


def test_filing_a_request_type_stores_typed_answers_and_its_sla(
    employee_client: Client, org: Org, reset: RequestType
) -> None:
    response = employee_client.post(url(reset), {**GOOD, "answer_for_whom": org.colleague.pk})
    assert response.status_code == 302, response.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.kind, ticket.request_type, ticket.priority) == ("request", reset, "p1")
    assert ticket.assignment_group == org.desk_group
    answers = {answer.key: answer for answer in RequestAnswer.objects.filter(ticket=ticket)}
    assert set(answers) == {"system", "for_whom", "callback", "last_day", "apps"}
    assert answers["for_whom"].person == org.colleague
    assert answers["apps"].options == ["VPN", "Payroll"]
    assert answers["callback"].flag is True
    assert answers["last_day"].date == date(2026, 3, 31)
    response_clock = TicketClock.objects.get(ticket=ticket, metric=Metric.RESPONSE)
    # Due times are kept to the second.
    assert response_clock.due_at is not None
    waited = response_clock.due_at - ticket.created_at
    assert timedelta(minutes=10) - timedelta(seconds=1) < waited <= timedelta(minutes=10)
    assert ticket.history.filter(action="ticket.answer", field="system", after="E-mail").exists()
    page = employee_client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "Which account?" in page and "VPN, Payroll" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"answer_system": ""}, "answer_system", "This field is required."),
        ({"answer_system": "Mainframe"}, "answer_system", "“Mainframe” is not one of the options"),
        ({"answer_last_day": "31/03/2026"}, "answer_last_day", "is not a date"),
        ({"answer_system": "Other"}, "answer_other_system", "This field is required."),
    ],
)
def test_bad_answers_are_named_beside_their_field_and_keep_what_was_typed(
    employee_client: Client,
    reset: RequestType,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    typed = {**GOOD, "description": "typed and kept", **change}
    response = employee_client.post(url(reset), typed)
    assert response.status_code == 400
    page = response.content.decode()
    error_at = page.index(f'data-testid="error-{field}"')
    assert message in page[error_at : error_at + 300]
    assert "typed and kept" in page
    assert 'value="2026-03-31"' in page or "31/03/2026" in page
    assert not Ticket.objects.exists()


def test_a_draft_keeps_the_answers_until_it_is_submitted(
    employee_client: Client, reset: RequestType
) -> None:
    employee_client.post(url(reset), {**GOOD, "action": "draft", "answer_callback": ""})
    draft = TicketDraft.objects.get()
    assert draft.request_type == reset
    assert draft.answers["system"] == "E-mail"
    page = employee_client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert "Which account?" in page and 'value="E-mail" selected' in page
    refused = employee_client.post(
        reverse("portal:draft", args=[draft.pk]), GOOD | {"answer_callback": ""}
    )
    assert refused.status_code == 400
    filed = employee_client.post(reverse("portal:draft", args=[draft.pk]), GOOD)
    assert filed.status_code == 302
    assert Ticket.objects.get().answers.count() == 4


def test_a_type_no_longer_offered_is_not_found(employee_client: Client, reset: RequestType) -> None:
    reset.is_offered = False
    reset.save()
    assert employee_client.get(url(reset)).status_code == 404


def test_an_employee_files_for_a_colleague_from_the_catalog(
    employee_client: Client, org: Org, reset: RequestType
) -> None:
    employee_client.post(url(reset), {**GOOD, "requester": org.colleague.pk})
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.requested_by) == (org.colleague, org.employee)


def api_as(person: Person) -> ApiClient:
    return ApiClient(token_create(person, "tests")[1])


def test_another_requesters_answers_are_404(
    employee_client: Client, client: Client, org: Org, reset: RequestType
) -> None:
    employee_client.post(url(reset), GOOD)
    ticket = Ticket.objects.get()
    client.force_login(org.stranger)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404
    assert api_as(org.stranger).get(f"/tickets/{ticket.number}").status_code == 404
    mine = api_as(org.employee).get(f"/tickets/{ticket.number}").json()
    assert {answer["key"]: answer["value"] for answer in mine["answers"]} == {
        "system": "E-mail",
        "callback": True,
        "last_day": "2026-03-31",
        "apps": ["VPN", "Payroll"],
    }


def test_the_catalog_page_takes_the_same_queries_however_many_types(
    employee_client: Client, reset: RequestType, django_assert_num_queries
) -> None:
    # session, user, the request types with their categories, the nav's unread badge
    for count in (3, 30):
        while RequestType.objects.count() < count:
            number = RequestType.objects.count()
            RequestType.objects.create(slug=f"type-{number}", name=f"Type {number}")
        with django_assert_num_queries(4):
            assert employee_client.get(reverse("portal:catalog")).status_code == 200


def test_filing_from_the_catalog_takes_a_fixed_number_of_queries(
    employee_client: Client, reset: RequestType, django_assert_num_queries
) -> None:
    # Measured: the ticket with its clocks (one insert) and their events (one insert),
    # notifications and outbox; the form's questions (read by the form and checked again by the
    # service); four answers in one insert and their history in another (with the filing's);
    # the portal filing limit's counter; the access policy asked for recipients other than the
    # requester; the group told of a ticket that landed with nobody assigned (its members, the
    # mail template, their preferences, the outbox).
    with django_assert_num_queries(35):
        assert employee_client.post(url(reset), GOOD).status_code == 302
