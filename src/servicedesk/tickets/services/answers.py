"""The answers to a request type's form, written with the ticket they belong to."""

from __future__ import annotations

from collections.abc import Mapping

from servicedesk.catalog.answers import InvalidAnswersError, RawValue, TypedAnswer, answers_check
from servicedesk.catalog.models import RequestType
from servicedesk.directory.models import Person
from servicedesk.tickets import history
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import RequestAnswer, Ticket

ANSWER_ACTION = "ticket.answer"
ANSWER_FIELD_PREFIX = "answer_"


def answer_field_name(key: str) -> str:
    """The name a form (and an error) gives the question `key`."""
    return f"{ANSWER_FIELD_PREFIX}{key}"


def answers_checked(
    request_type: RequestType | None,
    raw: Mapping[str, RawValue] | None,
    *,
    actor: Person,
) -> list[TypedAnswer]:
    """Typed answers, or a `TicketError` naming the first field that is wrong.

    `raw` None means no form was filled in (the desk sets a type while triaging or logging a
    call): nothing is checked or stored. An empty mapping is a form sent without answers.
    """
    if raw is None:
        return []
    if request_type is None:
        if raw:
            raise TicketError(
                TicketErrorCode.INVALID_VALUE,
                "Answers need a request type whose form they fill in.",
                field="request_type",
            )
        return []
    try:
        return answers_check(request_type, raw or {}, viewer=actor)
    except InvalidAnswersError as invalid:
        key, message = next(iter(invalid.errors.items()))
        code = (
            TicketErrorCode.REQUIRED
            if message == "This field is required."
            else TicketErrorCode.INVALID_VALUE
        )
        raise TicketError(code, message, field=answer_field_name(key)) from invalid


def answers_record(
    ticket: Ticket, *, actor: Person, answers: list[TypedAnswer]
) -> list[RequestAnswer]:
    """Store the answers (inside the caller's transaction) and write each to the history, one
    insert each; the rows stored."""
    if not answers:
        return []
    rows = RequestAnswer.objects.bulk_create(
        RequestAnswer(
            ticket=ticket,
            field=answer.question,
            position=answer.question.position,
            key=answer.question.key,
            label=answer.question.label,
            kind=answer.question.kind,
            text=answer.text,
            date=answer.date,
            flag=answer.flag,
            person=answer.person,
            options=answer.options,
        )
        for answer in answers
    )
    history.record_many(
        ((ticket, answer.question.key[:40], answer.text) for answer in answers),
        actor=actor,
        action=ANSWER_ACTION,
    )
    return rows
