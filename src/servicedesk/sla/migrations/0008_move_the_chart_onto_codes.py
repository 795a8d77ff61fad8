"""Move the chart's targets from the rule list onto the priority codes, with the same winner.

Before, a rule naming only a priority code gave that code's target. Such rules become the code's
own targets (`catalog.PriorityCodeTarget`) and are deleted; a rule placed before the first of
them in its metric's list wins over the code after the move (`before_code`), so every ticket gets
the target it had. Clocks keep their record; the deleted rules' links are cleared.
"""

from django.db import migrations

MATCH_FIELDS_BESIDES_CODE = (
    "ticket_kind",
    "request_type_id",
    "priority",
    "network",
    "agency_id",
    "channel",
)
TARGET_FIELDS = ("target_kind", "minutes", "days", "cutoff", "calendar_id")


def _names_only_its_code(rule, code_category: dict[int, int]) -> bool:
    if rule.priority_code_id is None or rule.only_uncategorized:
        return False
    if rule.category_id not in (None, code_category[rule.priority_code_id]):
        return False
    return all(getattr(rule, name) in (None, "") for name in MATCH_FIELDS_BESIDES_CODE)


def move_chart_onto_codes(apps, schema_editor=None) -> None:
    SlaRule = apps.get_model("sla", "SlaRule")
    PriorityCode = apps.get_model("catalog", "PriorityCode")
    PriorityCodeTarget = apps.get_model("catalog", "PriorityCodeTarget")
    code_category = dict(PriorityCode.objects.values_list("pk", "category_id"))
    rules = list(SlaRule.objects.filter(is_active=True).order_by("metric", "position"))
    by_metric: dict[str, list] = {}
    for rule in rules:
        by_metric.setdefault(rule.metric, []).append(rule)
    for metric, ordered in by_metric.items():
        moved = [rule for rule in ordered if _names_only_its_code(rule, code_category)]
        if not moved:
            continue
        first_position = moved[0].position
        for rule in moved:
            PriorityCodeTarget.objects.get_or_create(
                priority_code_id=rule.priority_code_id,
                metric=metric,
                # The first rule of a code won; a later one for the same code never fired.
                defaults={name: getattr(rule, name) for name in TARGET_FIELDS},
            )
        SlaRule.objects.filter(pk__in=[rule.pk for rule in moved]).delete()
        SlaRule.objects.filter(metric=metric, is_active=True, position__lt=first_position).update(
            before_code=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0007_rules_after_the_code"),
        ("catalog", "0006_code_carries_its_sla"),
    ]

    operations = [migrations.RunPython(move_chart_onto_codes, migrations.RunPython.noop)]
