from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.demo.major_incidents import REPORTS
from servicedesk.directory.models import Person, SupportGroup
from servicedesk.directory.oncall import on_call_now
from servicedesk.notifications.models import Notification
from servicedesk.outages.major import major_incident_declare
from servicedesk.outages.major_selectors import attach_candidates, major_scope
from servicedesk.tickets.models import Ticket


@pytest.mark.django_db
def test_the_demo_licensing_outage_can_be_declared_and_tells_its_plan() -> None:
    call_command("load_demo", stdout=StringIO())
    desk = Person.objects.get(username="desk")
    titles = [text for _, _, text in REPORTS]
    reports = list(Ticket.objects.filter(short_description__in=titles).order_by("pk"))
    parent, *others = reports
    on_call = on_call_now(SupportGroup.objects.get(name="Application Support"))
    assert on_call is not None and on_call.person is not None

    assert set(others) <= set(attach_candidates(desk, parent))
    major = major_incident_declare(
        parent, actor=desk, public_message="The licensing application is down.", children=others
    )

    told = set(
        Notification.objects.filter(title__startswith="Major incident").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"deskld", "manager", on_call.person.username}
    scope = major_scope(major)
    counts = {row.label: row.count for row in scope.by_channel}
    assert (counts["Phone"], counts["Voicemail"], counts["Email"]) == (1, 1, 1)
    assert {s.name for s in scope.related_services} == set()
    assert len(scope.agencies) == 2
