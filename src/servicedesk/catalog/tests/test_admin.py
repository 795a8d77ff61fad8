"""An admin defines a request type's form and sees its SLA targets, without code."""

from __future__ import annotations

from django.test import Client

from servicedesk.catalog.models import RequestTypeField
from servicedesk.catalog.tests.factories import password_reset_form
from servicedesk.conftest import Org
from servicedesk.directory.models import Person
from servicedesk.sla.choices import Metric, TargetKind
from servicedesk.sla.models import SlaRule


def test_the_request_type_page_holds_its_questions_and_sla_targets(
    client: Client, org: Org
) -> None:
    form = password_reset_form(org.password_reset)
    SlaRule.objects.create(
        metric=Metric.RESPONSE,
        position=1,
        name="Password reset: 10 minutes",
        request_type=form,
        target_kind=TargetKind.DURATION,
        minutes=10,
    )
    client.force_login(Person.objects.create(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/catalog/requesttype/{form.pk}/change/").content.decode()
    assert "Which account?" in page
    assert "Password reset: 10 minutes" in page
    # A question is added in the browser, as an admin would.
    data = {
        "slug": form.slug,
        "name": form.name,
        "default_priority": "p1",
        "is_offered": "on",
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "0",
        "fields-0-position": "9",
        "fields-0-key": "badge",
        "fields-0-label": "Badge number",
        "fields-0-kind": "text",
        # SLA rules point at request types without a reverse name: Django prefixes them "-1".
        "-1-TOTAL_FORMS": "1",
        "-1-INITIAL_FORMS": "1",
        "-1-0-id": str(SlaRule.objects.get().pk),
        "-1-0-request_type": str(form.pk),
        "-1-0-metric": "response",
        "-1-0-position": "1",
        "-1-0-name": "Password reset: 10 minutes",
        "-1-0-target_kind": "duration",
        "-1-0-minutes": "10",
        "-1-0-is_active": "on",
    }
    response = client.post(f"/admin/catalog/requesttype/{form.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RequestTypeField.objects.get(key="badge").label == "Badge number"
