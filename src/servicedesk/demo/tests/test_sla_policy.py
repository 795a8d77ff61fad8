import pytest
from django.test import override_settings

from servicedesk.demo.organisation import load_organisation
from servicedesk.sla.choices import Metric
from servicedesk.sla.models import SlaRule


@pytest.mark.django_db
@pytest.mark.parametrize("around_the_clock", [True, False])
def test_the_p1_choice_is_a_setting(around_the_clock: bool) -> None:
    with override_settings(SERVICEDESK_P1_AROUND_THE_CLOCK=around_the_clock):
        load_organisation()
    p1_rules = SlaRule.objects.filter(priority="p1", ticket_kind="incident")
    assert p1_rules.count() == 4  # response, and restore on fiber, remote, unknown site
    calendars: set[str | None] = {
        rule.calendar.name if rule.calendar else None for rule in p1_rules
    }
    expected: set[str | None] = {"24x7"} if around_the_clock else {None}
    assert calendars == expected
    others = SlaRule.objects.filter(metric=Metric.RESOLUTION, priority="p3")
    assert {rule.calendar for rule in others} == {None}
