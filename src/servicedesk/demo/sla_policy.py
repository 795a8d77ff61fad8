"""The procedures' SLA tables as rule rows: the state agency's (incident and request targets by
priority and network), the school district's (its category chart, the 2-hour categorize and 24-hour
acknowledge clocks), counted on the justice network desk's business hours (Mon–Fri 07:00–17:00).

Choice where the seeds are silent: Priority 1 incident clocks count around the clock (24x7), since
a P1 is an outage the desk works at once (setting SERVICEDESK_P1_AROUND_THE_CLOCK, on by default);
every other target counts business hours. Both are rule rows an admin can change.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from servicedesk.catalog.choices import Priority
from servicedesk.catalog.models import PriorityCode, PriorityCodeTarget, RequestType
from servicedesk.directory.choices import Network
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.tickets.choices import TicketKind

INCIDENT = TicketKind.INCIDENT
REQUEST = TicketKind.REQUEST


def _minutes(n: int) -> dict[str, Any]:
    return {"target_kind": TargetKind.DURATION, "minutes": n}


def _business_days(n: int) -> dict[str, Any]:
    return {"target_kind": TargetKind.BUSINESS_DAYS, "days": n}


NO_SLA: dict[str, Any] = {"target_kind": TargetKind.NONE}
END_OF_NEXT_BUSINESS_DAY: dict[str, Any] = {
    "target_kind": TargetKind.END_OF_NEXT_BUSINESS_DAY,
    "days": 1,
}


def _chart_target(words: str) -> dict[str, Any]:
    """'4 hours' → 240 business minutes; '3 days' → 3 business days; '' → no SLA."""
    if match := re.fullmatch(r"(\d+) hours?", words):
        return _minutes(int(match[1]) * 60)
    if match := re.fullmatch(r"(\d+) days?", words):
        return _business_days(int(match[1]))
    return NO_SLA


def chart_targets(chart_words: dict[tuple[int, int], str]) -> None:
    """The district chart's resolution targets, on each priority code itself: "4 hours" → 4
    business hours, "3 days" → 3 business days, no defined SLA → the clock pauses."""
    PriorityCodeTarget.objects.all().delete()
    for code in PriorityCode.objects.select_related("category"):
        words = chart_words.get((code.category.number, code.code), "")
        PriorityCodeTarget.objects.create(
            priority_code=code, metric=Metric.RESOLUTION, **_chart_target(words)
        )


def load_sla_rules(
    always: BusinessCalendar,
    kinds: dict[str, RequestType],
    chart_words: dict[tuple[int, int], str],
) -> int:
    """Replace the rule list and the codes' targets with the seeds' (idempotent: same rows every
    run). `chart_words`: the district chart's target in words per (category, code)."""
    # None: the ticket location's business calendar.
    p1_calendar = always if settings.SERVICEDESK_P1_AROUND_THE_CLOCK else None
    reset = kinds["password-reset"]
    rows: list[tuple[Metric, str, dict[str, Any]]] = [
        (Metric.RESPONSE, "Password reset: 10 minutes", {"request_type": reset, **_minutes(10)}),
        (
            Metric.RESPONSE,
            "Service requests: 1 business day",
            {"ticket_kind": REQUEST, **_business_days(1)},
        ),
        (
            Metric.RESPONSE,
            "P1 incidents: 15 minutes",
            {
                "ticket_kind": INCIDENT,
                "priority": Priority.P1,
                "calendar": p1_calendar,
                **_minutes(15),
            },
        ),
        (
            Metric.RESPONSE,
            "P2 incidents: 2 hours",
            {"ticket_kind": INCIDENT, "priority": Priority.P2, **_minutes(120)},
        ),
        (
            Metric.RESPONSE,
            "P3 incidents: 8 hours",
            {"ticket_kind": INCIDENT, "priority": Priority.P3, **_minutes(480)},
        ),
        (
            Metric.RESPONSE,
            "P4 incidents: 8 hours",
            {"ticket_kind": INCIDENT, "priority": Priority.P4, **_minutes(480)},
        ),
    ]
    chart_targets(chart_words)
    rows += [
        (Metric.RESOLUTION, "Password reset: 20 minutes", {"request_type": reset, **_minutes(20)}),
        (
            Metric.RESOLUTION,
            "Service requests: 5 business days",
            {"ticket_kind": REQUEST, **_business_days(5)},
        ),
        (
            Metric.RESOLUTION,
            "P1 incidents on state fiber: restore in 4 hours",
            {
                "ticket_kind": INCIDENT,
                "priority": Priority.P1,
                "network": Network.STATE_FIBER,
                "calendar": p1_calendar,
                **_minutes(240),
            },
        ),
        (
            Metric.RESOLUTION,
            "P1 incidents at remote sites: restore in 8 hours",
            {
                "ticket_kind": INCIDENT,
                "priority": Priority.P1,
                "network": Network.REMOTE,
                "calendar": p1_calendar,
                **_minutes(480),
            },
        ),
        (
            Metric.RESOLUTION,
            "P1 incidents, site unknown: restore in 4 hours",
            {
                "ticket_kind": INCIDENT,
                "priority": Priority.P1,
                "calendar": p1_calendar,
                **_minutes(240),
            },
        ),
        (
            Metric.RESOLUTION,
            "P2 incidents: end of next business day",
            {"ticket_kind": INCIDENT, "priority": Priority.P2, **END_OF_NEXT_BUSINESS_DAY},
        ),
        (
            Metric.RESOLUTION,
            "P3 incidents: 3 business days",
            {"ticket_kind": INCIDENT, "priority": Priority.P3, **_business_days(3)},
        ),
        (
            Metric.RESOLUTION,
            "P4 incidents: 5 business days",
            {"ticket_kind": INCIDENT, "priority": Priority.P4, **_business_days(5)},
        ),
    ]
    # The school district's SLA procedure asks this of what employees send in, by whatever
    # channel it came (portal, e-mail, a call the Customer Care Center logs, a voicemail, a
    # walk-in, a monitoring alert): the same categorize and acknowledge clocks. A call
    # prioritized on entry arrives categorized and so has no categorize clock. Tasks and
    # problems the staff open are exempt.
    for kind in (INCIDENT, REQUEST):
        plural = f"{kind.label.lower()}s"
        rows.append(
            (
                Metric.CATEGORIZE,
                f"Uncategorized {plural}: 2 hours",
                {"ticket_kind": kind, "only_uncategorized": True, **_minutes(120)},
            )
        )
        rows.append(
            (
                Metric.ACKNOWLEDGE,
                f"{plural.capitalize()}: acknowledge within 24 hours",
                {"ticket_kind": kind, "calendar": always, **_minutes(24 * 60)},
            )
        )
    SlaRule.objects.all().delete()
    positions: dict[Metric, int] = {}
    for metric, name, fields in rows:
        positions[metric] = positions.get(metric, 0) + 10
        SlaRule.objects.create(metric=metric, position=positions[metric], name=name, **fields)
    return len(rows)
