"""The school district's chart as one source of truth: a priority code carries its own targets
(or no SLA, pausing or with no clock), rules say what a code cannot (site, kind, request type),
a rule that can never fire is refused with the rule that shadows it, and a ticket carries only a
code of its own category."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from servicedesk.catalog.models import PriorityCode, PriorityCodeTarget
from servicedesk.demo.organisation import Organisation, load_organisation
from servicedesk.directory.choices import Network
from servicedesk.sla.chart import chart_verdicts
from servicedesk.sla.choices import ClockState, Metric, Outcome, TargetKind
from servicedesk.sla.models import SlaRule, TicketClock
from servicedesk.sla.rules import Why
from servicedesk.tickets.choices import Channel, TicketKind
from servicedesk.tickets.errors import TicketError, TicketErrorCode
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.services import ticket_create, ticket_triage, ticket_update
from servicedesk.tickets.services.chart_check import priority_code_category_check


@pytest.fixture
def demo(db: None) -> Organisation:
    return load_organisation()


def code(category: int, number: int) -> PriorityCode:
    return PriorityCode.objects.get(category__number=category, code=number)


def resolution(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)


def call_in(demo: Organisation, priority_code: PriorityCode, requester: str = "employee") -> Ticket:
    return ticket_create(
        actor=demo.people["desk"],
        requester=demo.people[requester],
        kind=TicketKind.REQUEST,
        channel=Channel.PHONE,
        short_description="Projector dead",
        priority_code=priority_code,
    )


def test_the_codes_own_target_decides_and_an_edit_of_it_applies(demo: Organisation) -> None:
    emergency = code(1, 1)
    assert (emergency.target, emergency.has_sla) == ("4 hours", True)
    ticket = call_in(demo, emergency)
    assert ticket.category == emergency.category  # the code's category, when none was given
    assert resolution(ticket).target_label == "4 hours"

    PriorityCodeTarget.objects.filter(priority_code=emergency).update(minutes=120)
    assert resolution(call_in(demo, emergency)).target_label == "2 hours"
    vendor = code(1, 5)
    assert (vendor.target, vendor.has_sla) == ("", False)


def test_no_sla_pauses_or_runs_no_clock_and_a_new_code_restarts_it(demo: Organisation) -> None:
    paused = resolution(call_in(demo, code(1, 5)))
    assert (paused.state, paused.target_label, paused.due_at) == (ClockState.PAUSED, "no SLA", None)

    donated = code(1, 7)
    PriorityCodeTarget.objects.filter(priority_code=donated).update(target_kind=TargetKind.NO_CLOCK)
    ticket = call_in(demo, donated)
    stopped = resolution(ticket)
    assert (stopped.state, stopped.outcome) == (ClockState.COMPLETED, Outcome.NOT_APPLICABLE)
    assert stopped.target_label == "no SLA (no clock)"

    ticket_update(
        ticket, actor=demo.people["desk"], version=None, changes={"priority_code": code(1, 1)}
    )
    running = resolution(ticket)
    assert (running.state, running.target_label) == (ClockState.RUNNING, "4 hours")
    assert running.due_at is not None


def test_a_rule_that_wins_over_the_code_is_a_sites_exception(demo: Organisation) -> None:
    emergency = code(1, 1)
    SlaRule.objects.create(
        metric=Metric.RESOLUTION,
        position=5,
        name="Break-fix emergencies at remote sites: 8 hours",
        category=emergency.category,
        network=Network.REMOTE,
        before_code=True,
        target_kind=TargetKind.DURATION,
        minutes=480,
    )
    remote = call_in(demo, emergency, requester="lnguyen")  # the Guymon office
    assert resolution(remote).target_label == "8 hours"
    assert resolution(call_in(demo, emergency)).target_label == "4 hours"

    verdicts = {
        verdict.decision.metric: verdict
        for verdict in chart_verdicts(
            {
                "ticket_kind": TicketKind.REQUEST,
                "priority_code_id": emergency.pk,
                "category_id": emergency.category_id,
                "network": Network.REMOTE,
                "channel": Channel.PHONE,
                "uncategorized_at_arrival": False,
            }
        )
    }
    restore = verdicts[Metric.RESOLUTION]
    assert restore.decision.why == Why.RULE_BEFORE_CODE
    assert restore.beaten_code_target is not None
    assert "Service requests: 5 business days" in [rule.name for rule in restore.losing_rules]
    respond = verdicts[Metric.RESPONSE]
    assert (respond.decision.why, respond.decision.label) == (Why.RULE, "1 business day")
    assert verdicts[Metric.CATEGORIZE].decision.why == Why.NOTHING


def test_a_rule_that_can_never_fire_is_refused_with_the_rule_that_shadows_it(
    demo: Organisation,
) -> None:
    catch_all = SlaRule.objects.create(
        metric=Metric.RESPONSE,
        position=900,
        name="Everything else: 3 business days",
        target_kind=TargetKind.BUSINESS_DAYS,
        days=3,
    )
    late = SlaRule(
        metric=Metric.RESPONSE,
        position=910,
        name="Remote sites: 1 business day",
        network=Network.REMOTE,
        target_kind=TargetKind.BUSINESS_DAYS,
        days=1,
    )
    with pytest.raises(ValidationError) as refused:
        late.full_clean()
    assert f"rule #{catch_all.position} “{catch_all.name}” comes first" in str(refused.value)

    code_only = SlaRule(
        metric=Metric.RESOLUTION,
        position=5,
        name="Emergency: 2 hours",
        priority_code=code(1, 1),
        target_kind=TargetKind.DURATION,
        minutes=120,
    )
    with pytest.raises(ValidationError) as refused:
        code_only.full_clean()
    assert "belongs on the code itself" in str(refused.value)

    code_at_site = SlaRule(
        metric=Metric.RESOLUTION,
        position=6,
        name="Emergency at remote sites: 8 hours",
        priority_code=code(1, 1),
        network=Network.REMOTE,
        target_kind=TargetKind.DURATION,
        minutes=480,
    )
    with pytest.raises(ValidationError) as refused:
        code_at_site.full_clean()
    assert "priority code 1-1 – Emergency (4 hours) sets its own" in str(refused.value)
    code_at_site.before_code = True
    code_at_site.full_clean()


def test_triage_accepts_only_a_code_of_the_tickets_category(demo: Organisation) -> None:
    access = code(2, 3).category
    request = ticket_create(
        actor=demo.people["desk"],
        requester=demo.people["employee"],
        kind=TicketKind.REQUEST,
        channel=Channel.PHONE,
        short_description="Unlock the HAC login",
        category=access,
    )
    with pytest.raises(TicketError) as refused:
        ticket_triage(
            request,
            actor=demo.people["desk"],
            version=request.version,
            changes={"category": access, "priority_code": code(1, 1)},
        )
    assert refused.value.code == TicketErrorCode.CODE_NOT_IN_CATEGORY
    assert refused.value.field == "priority_code"
    assert "belongs to category 1 – Hardware / software break fix" in refused.value.message
    assert resolution(request).target_label != "4 hours"
    assert Ticket.objects.get(pk=request.pk).priority_code is None

    # Moving the ticket to another category with its old code left behind is refused too.
    coded = call_in(demo, code(1, 1))
    with pytest.raises(TicketError):
        ticket_update(coded, actor=demo.people["desk"], version=None, changes={"category": access})


def test_the_check_is_one_function_any_channel_can_call(demo: Organisation) -> None:
    access = code(2, 3).category
    assert priority_code_category_check(category=None, priority_code=code(2, 3)) == access
    assert priority_code_category_check(category=access, priority_code=None) == access
    with pytest.raises(TicketError):
        priority_code_category_check(category=access, priority_code=code(1, 1))


def test_the_admin_pages_of_the_chart_render(demo: Organisation, client: Client) -> None:
    admin = demo.people["admin"]
    client.force_login(admin)
    emergency = code(1, 1)
    query: dict[str, str | int] = {"ticket_kind": "request", "priority_code": emergency.pk}
    page = client.get("/admin/sla/slarule/chart/", query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Priority code 1-1 – Emergency (4 hours) sets this target itself." in text
    assert "Service requests: 1 business day" in text  # the response rule, the code sets none
    code_page = client.get(f"/admin/catalog/prioritycode/{emergency.pk}/change/")
    assert code_page.status_code == 200 and "SLA targets" in code_page.content.decode()
    category_page = client.get(f"/admin/catalog/category/{emergency.category_id}/change/")
    assert category_page.status_code == 200
    assert "4 hours" in category_page.content.decode()
