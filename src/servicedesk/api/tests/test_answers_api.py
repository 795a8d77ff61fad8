"""The answers to a request type's form through the API: filed, read back typed, refused clearly,
and hidden from other requesters like the ticket itself."""

from __future__ import annotations

import pytest

from servicedesk.catalog.models import RequestType
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org


@pytest.fixture
def reset(org: Org) -> RequestType:
    return password_reset_form(org.password_reset)


def test_a_request_with_answers_is_filed_and_read_back_typed(
    org: Org, api_as, reset: RequestType, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = api_as(org.employee).post(
        "/tickets",
        {
            "kind": "request",
            "short_description": "Password reset",
            "request_type": reset.pk,
            "answers": {"system": "Other", "other_system": "Payroll", "callback": "no"},
        },
    )
    assert response.status_code == 201, response.content
    answers = {item["key"]: item for item in response.json()["answers"]}
    assert answers["callback"]["value"] is False
    assert answers["other_system"] == {
        "key": "other_system",
        "label": "Which other system?",
        "kind": "text",
        "text": "Payroll",
        "value": "Payroll",
    }
    number = response.json()["number"]
    uploaded = api_as(org.employee).upload(f"/tickets/{number}/attachments", "shot.png", b"png")
    assert uploaded.status_code == 201
    file_id = uploaded.json()["id"]
    stranger = api_as(org.stranger)
    for path in (
        f"/tickets/{number}",
        f"/tickets/{number}/attachments",
        f"/tickets/{number}/attachments/{file_id}",
    ):
        assert stranger.get(path).status_code == 404, path
    # The desk reads the same answers and opens the requester's file.
    desk = api_as(org.desk)
    assert len(desk.get(f"/tickets/{number}").json()["answers"]) == 3
    assert desk.get(f"/tickets/{number}/attachments/{file_id}").status_code == 200


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"system": "Windows"}, "answer_callback", "This field is required."),
        ({"system": "Fax", "callback": "no"}, "answer_system", "is not one of the options"),
        (
            {"system": "Windows", "callback": "no", "last_day": "tomorrow"},
            "answer_last_day",
            "is not a date",
        ),
    ],
)
def test_bad_answers_are_refused_naming_the_question(
    org: Org, api_as, reset: RequestType, answers: dict[str, str], field: str, message: str
) -> None:
    response = api_as(org.employee).post(
        "/tickets",
        {
            "kind": "request",
            "short_description": "Password reset",
            "request_type": reset.pk,
            "answers": answers,
        },
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field
    assert message in response.json()["message"]
