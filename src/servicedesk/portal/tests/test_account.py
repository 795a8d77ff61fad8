"""Account self-service in the portal: a forgotten password reset by a mailed one-time link (over
a real SMTP server), and a signed-in person's password change."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.conftest import Org
from servicedesk.notifications.tests.smtp_server import SmtpServer
from servicedesk.notifications.tests.smtp_server import smtp_server as smtp_server  # fixture

SENT_PAGE = reverse("portal:password_reset_sent")


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_sign_in_page_offers_the_reset_and_the_portal_its_own_password_page(
    client: Client, org: Org
) -> None:
    assert reverse("portal:password_reset") in client.get(reverse("login")).content.decode()
    client.force_login(org.employee)
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:password_change")}"' in home
    page = client.get(reverse("portal:password_change"))
    assert page.status_code == 200
    assert "/admin/" not in page.content.decode()


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    client: Client, org: Org, smtp_server: SmtpServer
) -> None:
    response = client.post(reverse("portal:password_reset"), {"email": org.employee.email})
    assert response.status_code == 302 and response["Location"] == SENT_PAGE
    [mail] = smtp_server.to(org.employee.email)
    link = re.search(r"http://testserver(/portal/account/reset/\S+/)", mail.text)
    assert link, mail.text
    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content
    weak = client.post(form.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200
    assert b"This password is too short" in weak.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "plum-orbit-57-canvas", "new_password2": "plum-orbit-57-canvas"},
    )
    assert done["Location"] == reverse("portal:password_reset_complete")
    org.employee.refresh_from_db()
    assert org.employee.check_password("plum-orbit-57-canvas")
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert b"This link has been used already" in again.content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: Client, org: Org, smtp_server: SmtpServer
) -> None:
    response = client.post(reverse("portal:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == SENT_PAGE
    assert smtp_server.received == []


def test_a_mail_server_that_is_down_reveals_nothing(
    client: Client, org: Org, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    response = client.post(reverse("portal:password_reset"), {"email": org.employee.email})
    assert response.status_code == 302 and response["Location"] == SENT_PAGE


def test_a_signed_in_person_changes_their_password(client: Client, org: Org) -> None:
    org.employee.set_password("old-password-41")
    org.employee.save()
    client.force_login(org.employee)
    wrong = client.post(
        reverse("portal:password_change"),
        {"old_password": "nope", "new_password1": "x", "new_password2": "x"},
    )
    assert b"Your old password was entered incorrectly" in wrong.content
    done = client.post(
        reverse("portal:password_change"),
        {
            "old_password": "old-password-41",
            "new_password1": "plum-orbit-57-canvas",
            "new_password2": "plum-orbit-57-canvas",
        },
    )
    assert done["Location"] == reverse("portal:password_change_done")
