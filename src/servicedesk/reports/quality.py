"""How well tickets ended: first-contact resolution, redirects, reopens, disputes, satisfaction.

- *Resolved*: resolved in the period (and not reopened since).
- *First contact*: of those, the ones that never moved from the group they were first given to
  (no escalation, no reassignment): the desk fixed them where they landed.
- *Redirected*: sent to another organisation's help desk in the period.
- *Reopened*: moved from resolved or closed back to work in the period.
- *Disputed*: reopened by the requester's side (someone not on the staff).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.directory.choices import STAFF_ROLES
from servicedesk.reports.figures import Figure, Moment, Series
from servicedesk.reports.filters import ReportFilters
from servicedesk.tickets.choices import TicketState
from servicedesk.tickets.models import SatisfactionSurvey, Ticket, TicketHistory
from servicedesk.tickets.workflow import OPEN_STATES

OUTCOMES: list[tuple[str, str]] = [
    ("resolved", str(_("Resolved"))),
    ("first_contact", str(_("Resolved at first contact"))),
    ("redirected", str(_("Redirected to another desk"))),
    ("reopened", str(_("Reopened"))),
    ("disputed", str(_("Disputed by the requester"))),
]
RATINGS = range(1, 6)
COMMENTS_SHOWN = 20


def _reopening(filters: ReportFilters) -> QuerySet[TicketHistory]:
    return TicketHistory.objects.filter(
        ticket_id=OuterRef("pk"),
        field="state",
        before__in=[TicketState.RESOLVED, TicketState.CLOSED],
        after__in=list(OPEN_STATES),
        at__gte=filters.since,
        at__lt=filters.until,
    )


def outcome_condition(key: str, filters: ReportFilters) -> Q:
    resolved = Q(resolved_at__gte=filters.since, resolved_at__lt=filters.until)
    moved = TicketHistory.objects.filter(
        ticket_id=OuterRef("pk"), field="assignment_group"
    ).exclude(before="")
    reopened = _reopening(filters)
    conditions: dict[str, Q] = {
        "resolved": resolved,
        "first_contact": resolved & ~Q(Exists(moved)),
        "redirected": Q(
            state=TicketState.REDIRECTED, closed_at__gte=filters.since, closed_at__lt=filters.until
        ),
        "reopened": Q(Exists(reopened)),
        "disputed": Q(Exists(reopened.exclude(actor__role__in=STAFF_ROLES))),
    }
    return conditions[key]


def _candidates(tickets: QuerySet[Ticket], filters: ReportFilters) -> QuerySet[Ticket]:
    """Only tickets resolved, closed or reopened in the period can count: found through the
    indexes on those dates first, so the conditions run on a few rows, not on every ticket. A
    union of the three look-ups, since an OR of them with the history's subquery makes
    PostgreSQL read every ticket (the two-size test of page plans)."""
    resolved = Ticket.objects.filter(
        resolved_at__gte=filters.since, resolved_at__lt=filters.until
    ).values("pk")
    closed = Ticket.objects.filter(closed_at__gte=filters.since, closed_at__lt=filters.until)
    reopened = TicketHistory.objects.filter(
        field="state",
        at__gte=filters.since,
        at__lt=filters.until,
        before__in=[TicketState.RESOLVED, TicketState.CLOSED],
    ).values("ticket_id")
    return tickets.filter(
        pk__in=resolved.order_by().union(
            closed.values("pk").order_by(), reopened.order_by(), all=True
        )
    )


def outcomes(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    filters = moment.filters
    counts = _candidates(tickets, filters).aggregate(
        **{key: Count("pk", filter=outcome_condition(key, filters)) for key, _ in OUTCOMES}
    )
    resolved = counts["resolved"]
    rates: list[float | None] = [
        round(100 * counts[key] / resolved, 1) if resolved and key == "first_contact" else None
        for key, _ in OUTCOMES
    ]
    return Figure(
        "outcomes",
        labels=[label for _, label in OUTCOMES],
        keys=[key for key, _ in OUTCOMES],
        series=[Series("tickets", str(_("Tickets")), [counts[key] for key, _ in OUTCOMES])],
        rates=rates,
    )


def outcomes_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    if key not in dict(OUTCOMES):
        return tickets.none()
    return tickets.filter(outcome_condition(key, moment.filters))


def _surveys(tickets: QuerySet[Ticket], filters: ReportFilters) -> QuerySet[SatisfactionSurvey]:
    return SatisfactionSurvey.objects.filter(
        ticket_id__in=tickets.values("pk"),
        answered_at__gte=filters.since,
        answered_at__lt=filters.until,
    ).order_by()


def satisfaction(tickets: QuerySet[Ticket], moment: Moment) -> Figure:
    counts = {
        row["rating"]: row["count"]
        for row in _surveys(tickets, moment.filters).values("rating").annotate(count=Count("pk"))
    }
    return Figure(
        "satisfaction",
        labels=[f"{rating} / 5" for rating in RATINGS],
        keys=[str(rating) for rating in RATINGS],
        series=[Series("answers", str(_("Answers")), [counts.get(r, 0) for r in RATINGS])],
    )


def average_rating(figure: Figure) -> float | None:
    """The mean rating, from the distribution already counted (no second query)."""
    answers = [int(value or 0) for value in figure.series[0].values]
    total = sum(answers)
    if not total:
        return None
    return round(sum(r * n for r, n in zip(RATINGS, answers, strict=True)) / total, 2)


def satisfaction_comments(tickets: QuerySet[Ticket], moment: Moment) -> list[SatisfactionSurvey]:
    """The latest comments requesters left (newest first)."""
    return list(
        _surveys(tickets, moment.filters)
        .exclude(comment="")
        .select_related("ticket")
        .order_by("-answered_at", "-pk")[:COMMENTS_SHOWN]
    )


def satisfaction_drill(
    tickets: QuerySet[Ticket], moment: Moment, series: str, key: str
) -> QuerySet[Ticket]:
    rating = int(key) if key.isdigit() else 0
    answered = _surveys(tickets, moment.filters).filter(rating=rating)
    return tickets.filter(pk__in=answered.values("ticket_id"))
