from datetime import date

import pytest

from servicedesk.catalog.answers import InvalidAnswersError, answers_check
from servicedesk.catalog.choices import FieldKind
from servicedesk.catalog.models import RequestTypeField
from servicedesk.catalog.selectors import catalog_sections
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org


@pytest.fixture
def form(org: Org):
    return password_reset_form(org.password_reset)


def test_typed_answers_by_kind(org: Org, form) -> None:
    answers = answers_check(
        form,
        {
            "system": "E-mail",
            "for_whom": str(org.colleague.pk),
            "callback": "Yes",
            "last_day": "2026-03-31",
            "apps": ["VPN", "Payroll"],
        },
        viewer=org.employee,
    )
    by_key = {answer.question.key: answer for answer in answers}
    assert by_key["system"].options == ["E-mail"]
    assert by_key["for_whom"].person == org.colleague
    assert by_key["callback"].flag is True
    assert by_key["last_day"].date == date(2026, 3, 31)
    assert by_key["apps"].text == "VPN, Payroll"
    # A question whose condition does not hold is neither required nor kept.
    assert "other_system" not in by_key


def test_every_problem_is_named_beside_its_question(org: Org, form) -> None:
    with pytest.raises(InvalidAnswersError) as invalid:
        answers_check(
            form,
            {
                "system": "Mainframe",
                "last_day": "31/03/2026",
                "apps": ["VPN", "Fax"],
                "for_whom": "999999",
                "callback": "maybe",
            },
            viewer=org.employee,
        )
    errors = invalid.value.errors
    assert errors["system"] == "“Mainframe” is not one of the options; choose from the list."
    assert "is not a date; give it as year-month-day" in errors["last_day"]
    assert "“Fax” is not one of the options" in errors["apps"]
    assert errors["for_whom"] == "Choose a person from the directory."
    assert errors["callback"] == "Answer yes or no."


def test_required_questions_and_conditions(org: Org, form) -> None:
    with pytest.raises(InvalidAnswersError) as invalid:
        answers_check(form, {"system": "Other"}, viewer=org.employee)
    assert invalid.value.errors == {
        "other_system": "This field is required.",
        "callback": "This field is required.",
    }
    # A draft may leave required questions empty.
    assert answers_check(form, {"system": "Other"}, viewer=org.employee, require=False)


def test_unknown_questions_are_refused(org: Org, form) -> None:
    with pytest.raises(InvalidAnswersError) as invalid:
        answers_check(
            form, {"system": "Windows", "callback": "no", "salary": "1"}, viewer=org.employee
        )
    assert invalid.value.errors == {"salary": "This form has no such question."}


def test_an_admin_must_list_options_and_a_condition_of_the_same_form(org: Org, form) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="List the options"):
        RequestTypeField(request_type=form, key="x", label="X", kind=FieldKind.CHOICE).clean()
    other_type = type(form).objects.create(slug="access", name="Access")
    stray = RequestTypeField(
        request_type=other_type,
        key="y",
        label="Y",
        kind=FieldKind.TEXT,
        shown_when=form.fields.get(key="system"),
        shown_when_value="Other",
    )
    with pytest.raises(ValidationError, match="same request type"):
        stray.clean()


def test_the_catalog_groups_offered_types_by_category_and_searches(org: Org) -> None:
    from servicedesk.catalog.models import Category, RequestType

    accounts = Category.objects.create(number=2, name="Accounts")
    org.password_reset.default_category = accounts
    org.password_reset.keywords = "locked out"
    org.password_reset.save()
    RequestType.objects.create(slug="monitor", name="New monitor")
    RequestType.objects.create(slug="retired", name="Fax line", is_offered=False)
    sections = catalog_sections()
    assert [(s.category, [t.slug for t in s.request_types]) for s in sections] == [
        (accounts, ["password-reset"]),
        (None, ["monitor"]),
    ]
    assert [t.slug for s in catalog_sections("LOCKED") for t in s.request_types] == [
        "password-reset"
    ]
    assert catalog_sections("fax") == []
