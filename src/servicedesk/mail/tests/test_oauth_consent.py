"""An admin connects a mailbox: "Connect", sign in at the provider, back to the mailbox, connected.

The provider is the test authorization server (tests/servers/oauth.py), which checks the PKCE
verifier, the client secret and the redirect URI as Microsoft's and Google's do. Their own
endpoints cannot be reached from here: what the desk sends them is checked against their
documented parameters, and their token answers are replayed in the shape they document.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from servicedesk.core.models import ConfigChange
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
from servicedesk.mail.choices import OAuthProvider
from servicedesk.mail.models import Mailbox, MailboxOAuthToken, OAuthApplication
from servicedesk.mail.oauth import OAuthError, access_token_for, consent_request, endpoints
from servicedesk.mail.tests.test_connectivity import an_application
from tests.servers.oauth import ACCOUNT, AuthorizationServer

CALLBACK = "http://testserver/admin/mail/mailbox/oauth/callback/"


@pytest.fixture
def admin_client(db: None) -> Client:
    admin = Person.objects.create_superuser("root", "root@example.org", "pw", role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def mailbox(desk_mailbox: Mailbox, oauth_server: AuthorizationServer) -> Mailbox:
    desk_mailbox.oauth_application = an_application(oauth_server)
    desk_mailbox.imap_user = ACCOUNT
    desk_mailbox.save()
    return desk_mailbox


def at_the_provider(location: str) -> str:
    """The admin's browser at the provider: it signs them in and sends them back."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return back.removeprefix("http://testserver")


def test_connect_signs_in_at_the_provider_and_comes_back_connected(
    admin_client: Client, mailbox: Mailbox, oauth_server: AuthorizationServer
) -> None:
    page = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/change/").content.decode()
    assert "Not connected" in page and CALLBACK in page

    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    assert going.status_code == 302
    query = parse_qs(urlsplit(going["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["redirect_uri"] == [CALLBACK]

    back = admin_client.get(at_the_provider(going["Location"]), follow=True)
    assert f"Connected as {ACCOUNT}" in back.content.decode()
    assert back.redirect_chain[-1][0] == f"/admin/mail/mailbox/{mailbox.pk}/change/"
    connection = MailboxOAuthToken.objects.get(mailbox=mailbox)
    assert connection.account == ACCOUNT and connection.connected_by is not None
    assert oauth_server.active_account(access_token_for(mailbox)) == ACCOUNT
    # Connecting is a configuration change; the tokens themselves are in no audit entry.
    entry = ConfigChange.objects.get(model="mail.mailboxoauthtoken")
    assert ACCOUNT in str(entry.changes) and connection.refresh_token not in str(entry.changes)


def test_the_way_back_works_once_and_only_for_who_started_it(
    admin_client: Client, mailbox: Mailbox
) -> None:
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    back = at_the_provider(going["Location"])

    someone_else = Client()
    someone_else.force_login(
        Person.objects.create_superuser("other", "other@example.org", "pw", role=Role.ADMIN)
    )
    refused = someone_else.get(back, follow=True).content.decode()
    assert "not started here" in refused
    assert not MailboxOAuthToken.objects.exists()

    admin_client.get(back)
    assert MailboxOAuthToken.objects.count() == 1
    again = admin_client.get(back, follow=True).content.decode()
    assert "not started here, or was already used" in again


def test_a_stolen_code_without_the_verifier_gets_nothing(
    admin_client: Client, mailbox: Mailbox, oauth_server: AuthorizationServer
) -> None:
    """PKCE: the code alone, redeemed with another verifier, is refused by the provider."""
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    code = parse_qs(urlsplit(at_the_provider(going["Location"])).query)["code"][0]
    answer = requests.post(
        f"{oauth_server.base_url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": "a" * 64,
            "redirect_uri": CALLBACK,
            "client_id": mailbox.oauth_application.client_id,  # type: ignore[union-attr]
            "client_secret": mailbox.oauth_application.client_secret,  # type: ignore[union-attr]
        },
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_a_declined_consent_says_so_and_keeps_the_old_connection(
    admin_client: Client, mailbox: Mailbox, oauth_server: AuthorizationServer
) -> None:
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    admin_client.get(at_the_provider(going["Location"]))
    before = MailboxOAuthToken.objects.get()

    oauth_server.deny_next = True
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    page = admin_client.get(at_the_provider(going["Location"]), follow=True).content.decode()
    assert "The provider did not connect the mailbox: The user declined." in page
    assert MailboxOAuthToken.objects.get().refresh_token == before.refresh_token


def test_disconnect_forgets_the_tokens(admin_client: Client, mailbox: Mailbox) -> None:
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    admin_client.get(at_the_provider(going["Location"]))
    assert admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/disconnect/").status_code == 405
    page = admin_client.post(f"/admin/mail/mailbox/{mailbox.pk}/disconnect/", follow=True)
    assert "Disconnected" in page.content.decode()
    assert not MailboxOAuthToken.objects.exists()
    with pytest.raises(OAuthError, match="Not connected"):
        access_token_for(mailbox)


def test_connect_without_an_application_says_what_to_do(
    admin_client: Client, desk_mailbox: Mailbox
) -> None:
    page = admin_client.get(f"/admin/mail/mailbox/{desk_mailbox.pk}/connect/", follow=True)
    assert "Choose an OAuth 2.0 application" in page.content.decode()


def test_an_other_provider_needs_its_addresses(admin_client: Client) -> None:
    page = admin_client.post(
        "/admin/mail/oauthapplication/add/",
        {"name": "Ours", "provider": OAuthProvider.OTHER, "client_id": "x"},
    )
    assert page.content.decode().count("Give this provider&#x27;s address.") == 2
    assert not OAuthApplication.objects.exists()


# --- Microsoft 365 and Google (their endpoints cannot be reached from here) ------------------


def test_microsoft_and_google_are_asked_what_they_document(db: None) -> None:
    microsoft = OAuthApplication(
        name="M365", provider=OAuthProvider.MICROSOFT, client_id="app-id", tenant="contoso.org"
    )
    google = OAuthApplication(name="Google", provider=OAuthProvider.GOOGLE, client_id="id")

    asked = urlsplit(consent_request(microsoft, CALLBACK).url)
    assert asked.netloc == "login.microsoftonline.com"
    assert asked.path == "/contoso.org/oauth2/v2.0/authorize"
    scopes = parse_qs(asked.query)["scope"][0].split()
    assert {"offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All"} <= set(scopes)
    assert "https://outlook.office.com/SMTP.Send" in scopes
    assert endpoints(microsoft).token_url.endswith("/contoso.org/oauth2/v2.0/token")

    query = parse_qs(urlsplit(consent_request(google, CALLBACK).url).query)
    # Without both, Google gives no refresh token (or only on the first consent).
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"][0].split()[-1] == "https://mail.google.com/"
    assert query["code_challenge_method"] == ["S256"]


def unsigned_id_token(claims: dict[str, str]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl"


# Token answers in the shape Microsoft's and Google's documentation show (values made up: their
# servers cannot be reached from here), replayed by the test authorization server.
MICROSOFT_CODE_ANSWER = {
    "token_type": "Bearer",
    "scope": "https://outlook.office.com/IMAP.AccessAsUser.All "
    "https://outlook.office.com/SMTP.Send openid email",
    "expires_in": 4282,
    "ext_expires_in": 4282,
    "access_token": "eyJ0eXAiOiJKV1QiLCJub25jZSI6Im1zLWFjY2Vzcy10b2tlbiJ9.e30.sig",
    "refresh_token": "0.AXoA-ms-refresh-token-1",
    "id_token": unsigned_id_token(
        {"preferred_username": "helpdesk@contoso.org", "tid": "contoso-tenant-id"}
    ),
}
GOOGLE_REFRESH_ANSWER = {
    "access_token": "ya29.a0-google-access-token-2",
    "expires_in": 3599,
    "scope": "https://mail.google.com/ openid https://www.googleapis.com/auth/userinfo.email",
    "token_type": "Bearer",
    "id_token": unsigned_id_token({"email": "helpdesk@example.org", "email_verified": "true"}),
}


def test_a_microsoft_answer_names_the_account_and_sets_the_expiry(
    admin_client: Client, mailbox: Mailbox, oauth_server: AuthorizationServer
) -> None:
    application = mailbox.oauth_application
    assert application is not None
    application.provider = OAuthProvider.MICROSOFT
    application.save()
    going = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/connect/")
    oauth_server.replay_next = MICROSOFT_CODE_ANSWER
    before = timezone.now()
    page = admin_client.get(at_the_provider(going["Location"]), follow=True).content.decode()

    assert "Connected as helpdesk@contoso.org" in page
    stored = MailboxOAuthToken.objects.get()
    assert stored.refresh_token == "0.AXoA-ms-refresh-token-1"
    assert stored.access_expires_at is not None
    assert timedelta(seconds=4280) < stored.access_expires_at - before < timedelta(seconds=4300)


def test_google_keeps_its_refresh_token_when_a_refresh_sends_none(
    mailbox: Mailbox, oauth_server: AuthorizationServer
) -> None:
    MailboxOAuthToken.objects.create(mailbox=mailbox, refresh_token="1//google-refresh-token")
    oauth_server.replay_next = GOOGLE_REFRESH_ANSWER
    assert access_token_for(mailbox) == "ya29.a0-google-access-token-2"
    assert MailboxOAuthToken.objects.get().refresh_token == "1//google-refresh-token"


def test_the_mailbox_form_checks_the_from_address_and_the_oauth_user(
    admin_client: Client, mailbox: Mailbox
) -> None:
    form = {
        "name": mailbox.name,
        "address": mailbox.address,
        "imap_port": 993,
        "imap_user": "",
        "imap_folder": "INBOX",
        "imap_security": "tls",
        "oauth_application": mailbox.oauth_application_id,
        "smtp_port": 587,
        "smtp_security": "starttls",
        "from_address": "IT Desk, no address",
        "default_kind": "incident",
        "cc_become": "watchers",
        "is_active": "on",
    }
    page = admin_client.post(f"/admin/mail/mailbox/{mailbox.pk}/change/", form)
    text = page.content.decode()
    assert "Write an address, or a name and an address" in text
    assert "OAuth 2.0 signs in as this user" in text

    form.update(imap_user=ACCOUNT, from_address="IT Desk <it@example.org>")
    assert admin_client.post(f"/admin/mail/mailbox/{mailbox.pk}/change/", form).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.from_address == "IT Desk <it@example.org>"
