"""Which SLA target applies to a ticket, and the lint that refuses rules which can never fire.

The priority code carries its own targets (`catalog.PriorityCodeTarget`, one per metric). The
ordered SLA rules say what a code cannot: the site's network, the request type, the kind, the
channel. For one metric the winner is, in this order:

1. the first matching rule marked "wins over the priority code" (a site's exception);
2. the ticket's priority code's own target for that metric;
3. the first matching other rule (the fallbacks for tickets whose code sets nothing);
4. nothing: no SLA yet.

`decide` returns the winner and why; the admin's SLA chart page shows it for any combination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import ValidationError

from servicedesk.catalog.models import PriorityCodeTarget
from servicedesk.core.editions import cached
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.engine import Target
from servicedesk.sla.models import BusinessCalendar, SlaRule
from servicedesk.tickets.models import Ticket


class TargetSpec(Protocol):
    """What a rule and a code's target share: the target and the calendar it counts on."""

    target_kind: str
    minutes: int | None
    days: int | None
    cutoff: time | None
    calendar_id: int | None

    @property
    def calendar(self) -> BusinessCalendar | None: ...


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


def rule_matches(rule: SlaRule, facts: Mapping[str, object]) -> bool:
    if rule.only_uncategorized and not facts["uncategorized_at_arrival"]:
        return False
    for name in SlaRule.MATCH_FIELDS:
        wanted = getattr(rule, name)
        if wanted not in (None, "") and facts.get(name) != wanted:
            return False
    return True


def first_match(rules: Iterable[SlaRule], facts: Mapping[str, object]) -> SlaRule | None:
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def rule_order(rule: SlaRule) -> tuple[int, int]:
    """Rules that win over the code come first, then by position."""
    return (0 if rule.before_code else 1, rule.position)


def active_rules() -> dict[str, list[SlaRule]]:
    """The active rules by metric, in order (as loaded under the configuration's edition, see
    `core.editions`: shared, never to be changed by the caller)."""
    return cached("sla.active_rules", _load_active_rules)


def _load_active_rules() -> dict[str, list[SlaRule]]:
    by_metric: dict[str, list[SlaRule]] = {metric: [] for metric in Metric.values}
    rows = SlaRule.objects.filter(is_active=True).select_related("calendar")
    for rule in sorted(rows, key=rule_order):
        by_metric[rule.metric].append(rule)
    return by_metric


CodeTargets = dict[int, dict[str, PriorityCodeTarget]]


def code_targets(code_ids: Iterable[int | None] | None = None) -> CodeTargets:
    """The codes' targets by code and metric: all of them, or those of `code_ids` (one query,
    none when no code is given)."""
    rows = PriorityCodeTarget.objects.select_related("calendar")
    if code_ids is not None:
        wanted = {code_id for code_id in code_ids if code_id is not None}
        if not wanted:
            return {}
        rows = rows.filter(priority_code_id__in=wanted)
    found: CodeTargets = {}
    for row in rows:
        found.setdefault(row.priority_code_id, {})[row.metric] = row
    return found


@dataclass(frozen=True)
class Chart:
    """The rules and the codes' targets, read once for a batch of decisions."""

    rules: dict[str, list[SlaRule]]
    codes: CodeTargets


def chart_for(code_ids: Iterable[int | None] | None = None) -> Chart:
    return Chart(active_rules(), code_targets(code_ids))


class Why(StrEnum):
    """Why a target won; the admin's chart page words each one."""

    RULE_BEFORE_CODE = "rule_before_code"
    CODE = "code"
    RULE = "rule"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Decision:
    metric: str
    why: Why
    rule: SlaRule | None = None
    code_target: PriorityCodeTarget | None = None

    @property
    def source(self) -> SlaRule | PriorityCodeTarget | None:
        return self.rule if self.rule is not None else self.code_target

    @property
    def no_clock(self) -> bool:
        source = self.source
        return source is not None and source.target_kind == TargetKind.NO_CLOCK

    @property
    def label(self) -> str:
        return describe_target(self.source)


def decide(chart: Chart, metric: str, facts: Mapping[str, object]) -> Decision:
    rules = chart.rules.get(metric, [])
    winner = first_match((rule for rule in rules if rule.before_code), facts)
    if winner is not None:
        return Decision(metric, Why.RULE_BEFORE_CODE, rule=winner)
    code_id = facts.get("priority_code_id")
    own = chart.codes.get(code_id, {}).get(metric) if isinstance(code_id, int) else None
    if own is not None:
        return Decision(metric, Why.CODE, code_target=own)
    winner = first_match((rule for rule in rules if not rule.before_code), facts)
    if winner is not None:
        return Decision(metric, Why.RULE, rule=winner)
    return Decision(metric, Why.NOTHING)


def target_of(spec: TargetSpec | None) -> Target:
    if spec is None or spec.target_kind in (TargetKind.NONE, TargetKind.NO_CLOCK):
        return Target.none()
    if spec.target_kind == TargetKind.DURATION:
        return Target.duration((spec.minutes or 0) * 60)
    if spec.target_kind == TargetKind.BUSINESS_DAYS:
        return Target.business_days(spec.days or 0)
    return Target.end_of_next_business_day(spec.days or 1, spec.cutoff)


NO_CLOCK_LABEL = "no SLA (no clock)"


def describe_target(spec: TargetSpec | None) -> str:
    """The target in words, as a requester or agent reads it."""
    if spec is None or spec.target_kind == TargetKind.NONE:
        return "no SLA"
    if spec.target_kind == TargetKind.NO_CLOCK:
        return NO_CLOCK_LABEL
    if spec.target_kind == TargetKind.DURATION:
        minutes = spec.minutes or 0
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{minutes} minutes"
    if spec.target_kind == TargetKind.BUSINESS_DAYS:
        days = spec.days or 0
        return f"{days} business day{'s' if days != 1 else ''}"
    return "end of next business day"


def check_target_fields(spec: TargetSpec) -> None:
    """Refuse a target that lacks what its kind needs."""
    kind = spec.target_kind
    if kind == TargetKind.DURATION and not spec.minutes:
        raise ValidationError({"minutes": "A duration target needs its number of minutes."})
    if kind == TargetKind.BUSINESS_DAYS and not spec.days:
        raise ValidationError({"days": "A business-days target needs its number of days."})
    if spec.cutoff and kind != TargetKind.END_OF_NEXT_BUSINESS_DAY:
        raise ValidationError({"cutoff": "A cutoff applies only to end of next business day."})


def _covers(earlier: SlaRule, later: SlaRule) -> bool:
    """True when every ticket `later` matches is matched by `earlier` first."""
    if earlier.only_uncategorized and not later.only_uncategorized:
        return False
    return all(
        getattr(earlier, name) in (None, "") or getattr(earlier, name) == getattr(later, name)
        for name in SlaRule.MATCH_FIELDS
    )


def _only_names_a_code(rule: SlaRule) -> bool:
    others = [name for name in SlaRule.MATCH_FIELDS if name != "priority_code_id"]
    return (
        rule.priority_code_id is not None
        and not rule.only_uncategorized
        and all(getattr(rule, name) in (None, "") for name in others)
    )


def _check_code_shadow(rule: SlaRule) -> None:
    if rule.priority_code_id is None:
        return
    if _only_names_a_code(rule):
        raise ValidationError(
            {
                "priority_code": "A target for a priority code alone belongs on the code itself "
                "(Categories → its priority codes); a rule says what a code cannot: the site, "
                "the request type, the kind or the channel."
            }
        )
    own = PriorityCodeTarget.objects.filter(
        priority_code_id=rule.priority_code_id, metric=rule.metric
    ).first()
    if own is not None and not rule.before_code:
        raise ValidationError(
            f"This rule can never fire: priority code {own.priority_code} sets its own "
            f"{own.get_metric_display().lower()} target ({describe_target(own)}), which comes "
            "before rules that do not win over the code. Tick “wins over the priority code”."
        )


def check_rule(rule: SlaRule) -> None:
    """Refuse a rule with an incomplete target, or one that can never fire, or that hides others."""
    check_target_fields(rule)
    if not rule.is_active:
        return
    _check_code_shadow(rule)
    siblings = SlaRule.objects.filter(metric=rule.metric, is_active=True).exclude(pk=rule.pk)
    for other in siblings:
        if rule_order(other) < rule_order(rule) and _covers(other, rule):
            raise ValidationError(
                f"This rule can never fire: rule #{other.position} “{other.name}” comes first "
                "and matches every ticket this one would."
            )
        if rule_order(other) > rule_order(rule) and _covers(rule, other):
            raise ValidationError(
                f"This rule would hide rule #{other.position} “{other.name}”: it comes first and "
                "matches every ticket that one would. Give it a later position or narrow it."
            )
