from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.directory.selectors import people_search


def test_employees_find_active_people_by_name_only(org: Org) -> None:
    org.colleague.last_name = "Brooks"
    org.colleague.save()
    assert people_search(org.employee, "brooks") == [org.colleague]
    assert people_search(org.employee, "colleague@example.org") == []
    assert people_search(org.desk, "colleague@example.org") == [org.colleague]
    assert people_search(org.employee, "b") == []
    org.colleague.is_active = False
    org.colleague.save()
    assert people_search(org.employee, "brooks") == []


def test_the_type_ahead_shows_names_and_agencies_only(employee_client: Client, org: Org) -> None:
    org.colleague.first_name = "<b>Col</b>"
    org.colleague.phone = "405-555-0199"
    org.colleague.save()
    response = employee_client.get(
        reverse("portal:people"), {"field": "affected", "affected_search": "col"}
    )
    page = response.content.decode()
    assert "&lt;b&gt;Col&lt;/b&gt;" in page and "<b>Col" not in page
    assert "Service Oklahoma" in page
    assert "405-555-0199" not in page and "colleague@example.org" not in page
    assert employee_client.get(reverse("portal:people"), {"field": "password"}).status_code == 404


def test_the_type_ahead_needs_a_sign_in(client: Client, org: Org) -> None:
    response = client.get(reverse("portal:people"), {"field": "affected", "affected_search": "co"})
    assert response.status_code == 302
