"""Give the demo a past, so the reports have weeks to chart: tickets are spread over the last six
weeks (filed, resolved and closed the same number of days earlier) and the closed tickets carry a
satisfaction answer. Only the demo dates tickets back; the desk never does."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import F

from servicedesk.sla.models import TicketClock
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import SatisfactionSurvey, Ticket
from servicedesk.tickets.services.resolution import survey_submit

WEEKS_OF_HISTORY = 6
SURVEY_COMMENTS = [
    "Quick and friendly, thank you.",
    "Took two calls to get it sorted.",
    "",
    "The technician explained what went wrong.",
]


def spread_demo_history(seed: int = 2025) -> int:
    """Move each demo ticket back a few days; returns how many moved (none on a second run)."""
    if Ticket.objects.filter(created_at__lt=F("updated_at") - timedelta(days=1)).exists():
        return 0
    rng = random.Random(seed)
    moved = 0
    for ticket in Ticket.objects.order_by("pk"):
        back = timedelta(days=rng.randrange(0, WEEKS_OF_HISTORY * 7), hours=rng.randrange(0, 9))
        if not back:
            continue
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=F("created_at") - back,
            resolved_at=F("resolved_at") - back,
            closed_at=F("closed_at") - back,
        )
        TicketClock.objects.filter(ticket=ticket).update(
            started_at=F("started_at") - back,
            due_at=F("due_at") - back,
            stopped_at=F("stopped_at") - back,
        )
        moved += 1
    _answer_surveys(rng)
    return moved


def _answer_surveys(rng: random.Random) -> None:
    closed = Ticket.objects.filter(state=TicketState.CLOSED).select_related("requester")
    for index, ticket in enumerate(closed.order_by("pk")):
        if SatisfactionSurvey.objects.filter(ticket=ticket).exists():
            continue
        survey_submit(
            ticket,
            actor=ticket.requester,
            rating=rng.choice([3, 4, 4, 5, 5, 2]),
            comment=SURVEY_COMMENTS[index % len(SURVEY_COMMENTS)],
        )
