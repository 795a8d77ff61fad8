"""Reads of what hangs off a ticket the caller holds through the access policy (`tickets.access`):
its history, survey, request answers and affected people, as the ticket pages show them.

Each is read on every ticket's page, agent's or portal's, and each is compiled once
(`core.kept_queries`): Django took 1-2.5 ms of CPU to compile each, more than PostgreSQL took
to answer it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from servicedesk.core.kept_queries import KeptQuery
from servicedesk.directory.models import Person
from servicedesk.tickets.models import (
    Attachment,
    RequestAnswer,
    SatisfactionSurvey,
    Ticket,
    TicketHistory,
)
from servicedesk.tickets.services.replies import URGENT_ACTION

# The history entries the portal puts into words (`ticket_page`), the transitions' notes too.
PUBLIC_HISTORY_FIELDS = ("number", "state", "assignment_group", "priority", "resolution_note")


def _history(ticket_id: int) -> QuerySet[TicketHistory]:
    return (
        TicketHistory.objects.filter(ticket_id=ticket_id)
        .select_related("actor")
        .order_by("at", "id")
    )


def _public_history(ticket_id: int) -> QuerySet[TicketHistory]:
    return _history(ticket_id).filter(field__in=(*PUBLIC_HISTORY_FIELDS, "note"))


def _urgent_comment_ids(ticket_id: int) -> QuerySet[TicketHistory, str]:
    return TicketHistory.objects.filter(ticket_id=ticket_id, action=URGENT_ACTION).values_list(
        "after", flat=True
    )


def _survey(ticket_id: int) -> QuerySet[SatisfactionSurvey]:
    return SatisfactionSurvey.objects.filter(ticket_id=ticket_id)


def _answers(ticket_id: int) -> QuerySet[RequestAnswer]:
    return (
        RequestAnswer.objects.filter(ticket_id=ticket_id)
        .select_related("person")
        .order_by("position", "id")
    )


def _affected(ticket_id: int) -> QuerySet[Person]:
    return Person.objects.filter(affected_by=ticket_id).select_related("agency")


_HISTORY, _PUBLIC_HISTORY = KeptQuery(_history), KeptQuery(_public_history)
_URGENT_COMMENT_IDS, _SURVEY = KeptQuery(_urgent_comment_ids), KeptQuery(_survey)
_ANSWERS, _AFFECTED = KeptQuery(_answers), KeptQuery(_affected)


def ticket_history(ticket: Ticket) -> list[TicketHistory]:
    """Every entry, oldest first, with who made it."""
    return list(_HISTORY(ticket.pk))


def public_history(ticket: Ticket) -> list[TicketHistory]:
    """The entries of `PUBLIC_HISTORY_FIELDS` and the transitions' notes, oldest first."""
    return list(_PUBLIC_HISTORY(ticket.pk))


def urgent_comment_ids(ticket: Ticket) -> set[int]:
    """The comments the requester sent as urgent."""
    return {int(value) for value in _URGENT_COMMENT_IDS(ticket.pk) if value.isdigit()}


def ticket_survey(ticket: Ticket) -> SatisfactionSurvey | None:
    """Its satisfaction survey, if one was sent (a ticket has one at most)."""
    return next(iter(_SURVEY(ticket.pk)), None)


def request_answers(ticket: Ticket) -> list[RequestAnswer]:
    """The requester's answers to the request form, with who gave them."""
    return list(_ANSWERS(ticket.pk))


def files_by_comment(files: list[Attachment]) -> dict[int, list[Attachment]]:
    """The files on comments, by the comment's id, in the order given."""
    by_comment: dict[int, list[Attachment]] = {}
    for attachment in files:
        if attachment.comment_id is not None:
            by_comment.setdefault(attachment.comment_id, []).append(attachment)
    return by_comment


def affected_people(ticket: Ticket) -> list[Person]:
    """The people it affects besides its requester, with their agencies."""
    return list(_AFFECTED(ticket.pk))
