"""Every demo login lands on its own first page, in a fixed number of queries. The tests share
one load of the demo (the `demo` fixture)."""

import pytest
from django.test import Client

from servicedesk.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_each_demo_login_lands_on_its_page() -> None:
    for login in DEMO_LOGINS:
        response = Client().post(
            "/accounts/login/",
            {"login": login.username, "password": DEMO_PASSWORD},
            follow=True,
        )
        assert response.status_code == 200
        page = response.content.decode()
        landed = response.redirect_chain[-1][0]
        if login.username == "employee":
            assert landed == "/portal/"
            assert "My open tickets" in page
            assert "INC0" in page or "REQ0" in page
        else:
            assert landed == "/workspace/", login.username
            assert 'data-testid="count-new"' in page
        assert login.role.label in page


def test_pages_take_a_fixed_number_of_queries(client: Client, django_assert_num_queries) -> None:
    client.login(username="desk", password=DEMO_PASSWORD)
    # session, user, the one counting query, the agent's groups, the agent's open tickets,
    # and the nav's unread-notifications badge (one COUNT, from the notifications context processor)
    # +1: the agent's scope (their groups and the agencies those serve, tickets.access), read
    # once per request; +1: the newest satisfaction answers on my and my groups' tickets
    # +4: who is on call now (the rotas, their people, their overrides) and the open major
    # incidents (outages.major_selectors)
    with django_assert_num_queries(12):
        assert client.get("/workspace/").status_code == 200
    client.login(username="employee", password=DEMO_PASSWORD)
    # session, user, my tickets, my drafts, then agency and location for the subtitle,
    # the nav's unread-notifications badge (one COUNT, from the notifications context processor),
    # and the system status line (one query: entries in force and maintenance within the week)
    with django_assert_num_queries(8):
        assert client.get("/portal/").status_code == 200
