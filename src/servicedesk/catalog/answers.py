"""Checking the answers to a request type's form: one rule for the portal, workspace and API.

Raw answers arrive as text (or a list of texts for several choices) keyed by the field's key,
as a browser or a JSON client sends them. `answers_check` turns them into typed answers, or
collects one clear message per field. A field shown only when another field has some value is
neither required nor kept while that condition does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from servicedesk.catalog.choices import FieldKind
from servicedesk.catalog.models import RequestType, RequestTypeField
from servicedesk.directory.models import Person
from servicedesk.directory.selectors import people_visible

RawValue = str | Sequence[str] | None
YES, NO = "yes", "no"
TEXT_MAX = 2_000
LONG_TEXT_MAX = 20_000


@dataclass(frozen=True)
class TypedAnswer:
    """A checked answer: `text` as read, plus the typed value of its kind."""

    question: RequestTypeField
    text: str
    date: date | None = None
    flag: bool | None = None
    person: Person | None = None
    options: list[str] = field(default_factory=list)


class InvalidAnswersError(Exception):
    """One message per field key, for the page (beside each field) or the API."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = dict(errors)


def form_fields(request_type: RequestType) -> QuerySet[RequestTypeField]:
    return request_type.fields.select_related("shown_when").order_by("position", "id")


def _as_list(raw: RawValue) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    return [str(item) for item in raw if str(item).strip()]


def _as_text(raw: RawValue) -> str:
    values = _as_list(raw)
    return values[0].strip() if values else ""


def condition_holds(question: RequestTypeField, raw: Mapping[str, RawValue]) -> bool:
    """Whether a conditional field is shown, given the raw answers."""
    condition = question.shown_when
    if condition is None:
        return True
    wanted = question.shown_when_value.strip().lower()
    given = [value.strip().lower() for value in _as_list(raw.get(condition.key))]
    return wanted in given


def _typed(question: RequestTypeField, raw: RawValue, viewer: Person) -> TypedAnswer | str:
    """The typed answer, or the message saying what is wrong with it."""
    kind = question.kind
    if kind == FieldKind.MULTIPLE_CHOICE:
        chosen = _as_list(raw)
        unknown = [value for value in chosen if value not in question.option_list]
        if unknown:
            return f"“{unknown[0]}” is not one of the options; choose from the list."
        return TypedAnswer(question, ", ".join(chosen), options=chosen)
    value = _as_text(raw)
    if kind == FieldKind.CHOICE:
        if value not in question.option_list:
            return f"“{value}” is not one of the options; choose from the list."
        return TypedAnswer(question, value, options=[value])
    if kind == FieldKind.DATE:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return f"“{value}” is not a date; give it as year-month-day, e.g. 2026-03-31."
        return TypedAnswer(question, day.isoformat(), date=day)
    if kind == FieldKind.YES_NO:
        if value.lower() not in (YES, NO):
            return "Answer yes or no."
        return TypedAnswer(question, value.lower(), flag=value.lower() == YES)
    if kind == FieldKind.PERSON:
        person = people_visible(viewer).filter(pk=value).first() if value.isdigit() else None
        if person is None:
            return "Choose a person from the directory."
        return TypedAnswer(question, str(person), person=person)
    limit = LONG_TEXT_MAX if kind == FieldKind.LONG_TEXT else TEXT_MAX
    if len(value) > limit:
        return f"Keep this to {limit} characters (it has {len(value)})."
    return TypedAnswer(question, value)


def answers_check(
    request_type: RequestType,
    raw: Mapping[str, RawValue],
    *,
    viewer: Person,
    require: bool = True,
) -> list[TypedAnswer]:
    """The typed answers to the shown questions; raises `InvalidAnswersError` with every problem.

    `require=False` (a draft) lets required fields stay empty; what is given must still be valid.
    """
    questions = list(form_fields(request_type))
    known = {question.key for question in questions}
    errors: dict[str, str] = {
        key: "This form has no such question." for key in raw if key not in known
    }
    answers: list[TypedAnswer] = []
    for question in questions:
        if not condition_holds(question, raw):
            continue
        given = _as_list(raw.get(question.key))
        if not given:
            if require and question.required:
                errors[question.key] = "This field is required."
            continue
        outcome = _typed(question, raw.get(question.key), viewer)
        if isinstance(outcome, str):
            errors[question.key] = outcome
        else:
            answers.append(outcome)
    if errors:
        raise InvalidAnswersError(errors)
    return answers
