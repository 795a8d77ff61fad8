"""Wrong passwords lock the account and the address for a while, and the page says until when;
password-reset mails to one address are limited."""

from __future__ import annotations

import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.cache import cache
from django.test import Client

from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person

PASSWORD = "right-password-7"


@pytest.fixture
def desk(db: None) -> Person:
    return Person.objects.create(
        username="desk", email="desk@example.org", role=Role.AGENT, password=make_password(PASSWORD)
    )


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_sixth_wrong_password_is_refused_with_the_time_to_retry(
    desk: Person, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(5):
        response = attempt(client, "desk", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="axes"):
        response = attempt(client, "desk", "wrong")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many wrong passwords for this account or from this address" in page
    assert "Try again after" in page and "(in 15 minutes)" in page
    assert 'value="desk"' in page
    assert any("Locking out" in record.getMessage() for record in caplog.records)
    # The right password does not get in while the lock holds.
    assert attempt(client, "desk", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_the_account_from_another_address(desk: Person) -> None:
    for number in range(6):
        attempt(Client(), "desk", "wrong", address=f"10.0.1.{number}")
    assert attempt(Client(), "desk", PASSWORD, address="10.9.9.9").status_code == 429


def test_the_lock_holds_for_the_address_whatever_account_it_tries(desk: Person) -> None:
    for number in range(6):
        attempt(Client(), f"guess{number}", "wrong", address="10.0.2.1")
    assert attempt(Client(), "desk", PASSWORD, address="10.0.2.1").status_code == 429
    assert attempt(Client(), "desk", PASSWORD, address="10.0.2.2").status_code == 302


def test_after_the_lockout_time_the_right_password_works(desk: Person, settings) -> None:
    for _ in range(6):
        attempt(Client(), "desk", "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2000)
    )
    assert attempt(Client(), "desk", PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_clears_the_count(desk: Person) -> None:
    client = Client()
    for _ in range(5):
        attempt(client, "desk", "wrong")
    assert attempt(client, "desk", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    landed = client.get("/", follow=True).content.decode()
    assert "Workspace" in landed and "Successfully signed in" not in landed


def test_reset_requests_in_a_burst_send_three_mails_not_twenty_three(
    desk: Person, client: Client, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    refused = 0
    for _ in range(23):
        response = client.post("/accounts/password/reset/", {"email": "desk@example.org"})
        refused += response.status_code != 302
    assert len(mail.outbox) == 3
    assert refused == 20
    assert "You asked for password reset mails too often" in response.content.decode()
    cache.clear()


def test_a_reset_for_an_unknown_address_sends_nothing(db: None, client: Client, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_malformed_reset_address_is_told_and_sends_nothing(
    db: None, client: Client, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/accounts/password/reset/", {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert mail.outbox == []


def test_a_directory_person_gets_no_reset_mail(db: None, client: Client, settings) -> None:
    """Their password lives in the directory; a local one beside it would be a second door."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    Person.objects.create(username="dana", email="dana@example.org", password=make_password(None))
    response = client.post("/accounts/password/reset/", {"email": "dana@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_addresses_and_local_passwords_of_directory_people_are_not_managed_here(
    desk: Person, client: Client
) -> None:
    client.force_login(desk)
    assert client.get("/accounts/email/").status_code == 404
    assert client.get("/accounts/password/set/").status_code == 404
    signup = Client().post("/accounts/signup/", {"username": "x", "password1": "pw-long-123"})
    assert "Sign Up Closed" in signup.content.decode()
    assert not Person.objects.filter(username="x").exists()
