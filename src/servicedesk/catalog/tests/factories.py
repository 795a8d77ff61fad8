"""A request type's form as an admin would define it, for the tests of every face."""

from __future__ import annotations

from servicedesk.catalog.choices import FieldKind
from servicedesk.catalog.models import RequestType, RequestTypeField


def question(
    request_type: RequestType, key: str, kind: FieldKind, **extra: object
) -> RequestTypeField:
    position = request_type.fields.count() + 1
    values: dict[str, object] = {"label": key.replace("_", " ").capitalize(), "position": position}
    values.update(extra)
    return RequestTypeField.objects.create(request_type=request_type, key=key, kind=kind, **values)


def password_reset_form(request_type: RequestType) -> RequestType:
    """system (choice, required), other_system (text, shown when system is Other), for_whom
    (person), callback (yes/no, required), last_day (date)."""
    system = question(
        request_type,
        "system",
        FieldKind.CHOICE,
        label="Which account?",
        required=True,
        options="Windows\nE-mail\nOther",
    )
    question(
        request_type,
        "other_system",
        FieldKind.TEXT,
        label="Which other system?",
        required=True,
        shown_when=system,
        shown_when_value="Other",
    )
    question(request_type, "for_whom", FieldKind.PERSON, label="Whose password?")
    question(
        request_type, "callback", FieldKind.YES_NO, label="Can the desk call you?", required=True
    )
    question(request_type, "last_day", FieldKind.DATE, label="Last day in the office")
    question(
        request_type,
        "apps",
        FieldKind.MULTIPLE_CHOICE,
        label="Also locked out of",
        options="VPN\nPayroll",
    )
    return request_type
