"""Which SLA rule applies to a ticket, and the lint that refuses rules which can never fire."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from django.core.exceptions import ValidationError

from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.engine import Target
from servicedesk.sla.models import SlaRule
from servicedesk.tickets.models import Ticket


def ticket_facts(ticket: Ticket, *, uncategorized_at_arrival: bool) -> dict[str, object]:
    """The values rules match on, read once per ticket."""
    return {
        "ticket_kind": ticket.kind,
        "request_type_id": ticket.request_type_id,
        "category_id": ticket.category_id,
        "priority_code_id": ticket.priority_code_id,
        "priority": ticket.priority,
        "network": ticket.location.network if ticket.location else "",
        "agency_id": ticket.agency_id,
        "channel": ticket.channel,
        "uncategorized_at_arrival": uncategorized_at_arrival,
    }


def rule_matches(rule: SlaRule, facts: dict[str, object]) -> bool:
    if rule.only_uncategorized and not facts["uncategorized_at_arrival"]:
        return False
    for name in SlaRule.MATCH_FIELDS:
        wanted = getattr(rule, name)
        if wanted not in (None, "") and facts[name] != wanted:
            return False
    return True


def first_match(rules: Iterable[SlaRule], facts: dict[str, object]) -> SlaRule | None:
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def active_rules() -> dict[str, list[SlaRule]]:
    by_metric: dict[str, list[SlaRule]] = {metric: [] for metric in Metric.values}
    for rule in SlaRule.objects.filter(is_active=True).order_by("metric", "position"):
        by_metric[rule.metric].append(rule)
    return by_metric


def target_of(rule: SlaRule | None) -> Target:
    if rule is None or rule.target_kind == TargetKind.NONE:
        return Target.none()
    if rule.target_kind == TargetKind.DURATION:
        return Target.duration((rule.minutes or 0) * 60)
    if rule.target_kind == TargetKind.BUSINESS_DAYS:
        return Target.business_days(rule.days or 0)
    cutoff: time | None = rule.cutoff
    return Target.end_of_next_business_day(rule.days or 1, cutoff)


def describe_target(rule: SlaRule | None) -> str:
    """The target in words, as a requester or agent reads it."""
    if rule is None or rule.target_kind == TargetKind.NONE:
        return "no SLA"
    if rule.target_kind == TargetKind.DURATION:
        minutes = rule.minutes or 0
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{minutes} minutes"
    if rule.target_kind == TargetKind.BUSINESS_DAYS:
        days = rule.days or 0
        return f"{days} business day{'s' if days != 1 else ''}"
    return "end of next business day"


def _covers(earlier: SlaRule, later: SlaRule) -> bool:
    """True when every ticket `later` matches is matched by `earlier` first."""
    if earlier.only_uncategorized and not later.only_uncategorized:
        return False
    return all(
        getattr(earlier, name) in (None, "") or getattr(earlier, name) == getattr(later, name)
        for name in SlaRule.MATCH_FIELDS
    )


def check_rule(rule: SlaRule) -> None:
    """Refuse a rule with an incomplete target, or one that can never fire, or that hides others."""
    kind = rule.target_kind
    if kind == TargetKind.DURATION and not rule.minutes:
        raise ValidationError({"minutes": "A duration target needs its number of minutes."})
    if kind == TargetKind.BUSINESS_DAYS and not rule.days:
        raise ValidationError({"days": "A business-days target needs its number of days."})
    if rule.cutoff and kind != TargetKind.END_OF_NEXT_BUSINESS_DAY:
        raise ValidationError({"cutoff": "A cutoff applies only to end of next business day."})
    if not rule.is_active:
        return
    siblings = SlaRule.objects.filter(metric=rule.metric, is_active=True).exclude(pk=rule.pk)
    for other in siblings:
        if other.position < rule.position and _covers(other, rule):
            raise ValidationError(
                f"This rule can never fire: rule #{other.position} “{other.name}” comes first "
                "and matches every ticket this one would."
            )
        if other.position > rule.position and _covers(rule, other):
            raise ValidationError(
                f"This rule would hide rule #{other.position} “{other.name}”: it comes first and "
                "matches every ticket that one would. Give it a later position or narrow it."
            )
