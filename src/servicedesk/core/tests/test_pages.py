"""The sign-in page, the bare endpoint, and nobody reaching a page that is not theirs."""

from django.test import Client

from servicedesk.conftest import Org


def test_the_login_page_is_served_and_a_wrong_password_says_so(org: Org, client: Client):
    assert client.get("/")["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/login/", {"login": "desk", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_an_employee_cannot_open_the_workspace(org: Org, client: Client) -> None:
    client.force_login(org.employee)
    response = client.get("/workspace/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_the_bare_endpoint_answers(client: Client) -> None:
    assert client.get("/healthz").content == b"ok"
