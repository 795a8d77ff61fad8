"""Personal tokens: shown once, stored hashed, revocable, expiring; the UI session works too."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from servicedesk.api.models import ApiToken
from servicedesk.api.services import TokenError, token_create, token_revoke
from servicedesk.api.tests.conftest import ApiClient
from servicedesk.conftest import Org
from servicedesk.directory.choices import Role


def test_only_a_hash_of_the_token_is_stored(org: Org) -> None:
    token, plaintext = token_create(org.desk, "zabbix")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plaintext not in str(ApiToken.objects.values().get(pk=token.pk))
    assert stored.secret_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(f"sd_{stored.prefix}_")


def test_a_token_works_until_revoked_and_records_its_use(org: Org) -> None:
    token, plaintext = token_create(org.employee, "laptop script")
    client = ApiClient(plaintext)
    assert client.get("/tickets").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    token_revoke(token, org.employee)
    refused = client.get("/tickets")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"


def test_wrong_expired_and_inactive_tokens_are_refused(org: Org) -> None:
    token, plaintext = token_create(org.employee, "soon", timezone.now() + timedelta(hours=1))
    assert ApiClient(plaintext).get("/tickets").status_code == 200
    assert ApiClient(plaintext[:-2] + "xx").get("/tickets").status_code == 401
    assert ApiClient("sd_nothing_here").get("/tickets").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(plaintext).get("/tickets").status_code == 401
    _token, other = token_create(org.colleague, "left")
    org.colleague.is_active = False
    org.colleague.save()
    assert ApiClient(other).get("/tickets").status_code == 401


def test_only_the_owner_or_an_admin_revokes(org: Org) -> None:
    token, _plaintext = token_create(org.employee, "mine")
    with pytest.raises(TokenError):
        token_revoke(token, org.lead)
    org.lead.role = Role.ADMIN
    assert token_revoke(token, org.lead).revoked_at is not None
    with pytest.raises(TokenError):
        token_create(org.employee, "  ")
    with pytest.raises(TokenError):
        token_create(org.employee, "past", timezone.now() - timedelta(days=1))


def test_the_command_prints_a_working_token(org: Org) -> None:
    out = StringIO()
    call_command("api_token", "desk", "--name", "nagios", "--expires-days", "30", stdout=out)
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.owner, token.name) == (org.desk, "nagios")
    assert token.expires_at is not None
    assert ApiClient(plaintext).get("/tickets").status_code == 200
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=StringIO())


def test_the_ui_session_is_accepted_and_unsafe_methods_need_csrf(org: Org) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org.employee)
    assert browser.get("/api/v1/tickets").status_code == 200
    body = {"kind": "incident", "short_description": "From the browser"}
    refused = browser.post("/api/v1/tickets", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    browser.get("/portal/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/tickets", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content


def test_a_caller_without_credentials_gets_401_even_for_unsafe_methods(org: Org) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/tickets", {}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_people_create_list_and_revoke_their_own_tokens_over_the_api(org: Org) -> None:
    session = Client(enforce_csrf_checks=False)
    session.force_login(org.employee)
    made = session.post("/api/v1/tokens", {"name": "my script"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    secret = body["token"]
    assert secret.startswith(f"sd_{body['prefix']}_")
    script = ApiClient(secret)
    assert script.get("/tickets").status_code == 200
    listed = script.get("/tokens").json()
    assert [t["name"] for t in listed] == ["my script"]
    assert "token" not in listed[0]
    others, _ = token_create(org.colleague, "not yours")
    assert script.send("delete", f"/tokens/{others.pk}").status_code == 404
    assert script.send("delete", f"/tokens/{body['id']}").status_code == 204
    assert script.get("/tickets").status_code == 401
    assert ApiToken.objects.get(pk=others.pk).revoked_at is None


def test_a_token_without_a_name_or_with_a_past_expiry_is_refused(org: Org) -> None:
    _token, plaintext = token_create(org.desk, "admin script")
    script = ApiClient(plaintext)
    nameless = script.post("/tokens", {"name": ""})
    assert nameless.status_code == 422
    past = script.post("/tokens", {"name": "x", "expires_at": "2020-01-01T00:00:00Z"})
    assert past.status_code == 422
    assert past.json()["field"] == "expires_at"
