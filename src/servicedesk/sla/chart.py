"""The SLA chart explained for the admin: for any combination of ticket facts, which target wins
for each metric, why, and what else would have matched but lost. Reads only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from servicedesk.catalog.models import PriorityCodeTarget
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import SlaRule
from servicedesk.sla.rules import Decision, chart_for, decide, rule_matches


@dataclass(frozen=True)
class MetricVerdict:
    metric_label: str
    decision: Decision
    # Rules that match too but come after the winner; the code's target when a rule beat it.
    losing_rules: list[SlaRule] = field(default_factory=list)
    beaten_code_target: PriorityCodeTarget | None = None


def chart_verdicts(facts: Mapping[str, object]) -> list[MetricVerdict]:
    """One verdict per metric for a ticket with `facts` (as `sla.rules.ticket_facts` gives)."""
    code_id = facts.get("priority_code_id")
    chart = chart_for([code_id if isinstance(code_id, int) else None])
    own = chart.codes.get(code_id, {}) if isinstance(code_id, int) else {}
    verdicts = []
    for metric in Metric:
        decision = decide(chart, metric, facts)
        matching = [rule for rule in chart.rules[metric] if rule_matches(rule, facts)]
        losing = [rule for rule in matching if rule != decision.rule]
        beaten = (
            own.get(metric) if decision.rule is not None and decision.rule.before_code else None
        )
        verdicts.append(MetricVerdict(Metric(metric).label, decision, losing, beaten))
    return verdicts
