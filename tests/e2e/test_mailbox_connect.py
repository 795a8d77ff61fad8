"""An admin connects a cloud mailbox in a real browser: Connect, the provider's sign-in (the test
authorization server, standing in for Microsoft's or Google's), and back, connected."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import make_person
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Agency, Location
from servicedesk.mail.choices import OAuthProvider
from servicedesk.mail.models import Mailbox, MailboxOAuthToken, OAuthApplication
from tests.e2e.pages import E2E_PASSWORD, GivePassword, LoginPage, MailboxAdminPage
from tests.servers.oauth import ACCOUNT, CLIENT_ID, CLIENT_SECRET, AuthorizationServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_connects_and_disconnects_a_cloud_mailbox(
    page: Page, live_server, give_password: GivePassword, oauth_server: AuthorizationServer
) -> None:
    office = Location.objects.create(name="HQ", agency=Agency.objects.create(name="OMES"))
    admin = make_person("admin", Role.ADMIN, office)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    give_password(admin)
    application = OAuthApplication.objects.create(
        name="Provider",
        provider=OAuthProvider.OTHER,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorization_url=f"{oauth_server.base_url}/authorize",
        token_url=f"{oauth_server.base_url}/token",
    )
    mailbox = Mailbox.objects.create(
        name="Desk", address="desk@example.org", imap_user=ACCOUNT, oauth_application=application
    )
    LoginPage(page, live_server.url).open().sign_in("admin", E2E_PASSWORD)
    page.wait_for_url("**/workspace/")

    admin_page = MailboxAdminPage(page, live_server.url, mailbox.pk).open()
    expect(admin_page.connection).to_contain_text("Not connected")
    expect(admin_page.connection).to_contain_text("/admin/mail/mailbox/oauth/callback/")

    admin_page.connect()
    expect(admin_page.messages).to_contain_text(f"Connected as {ACCOUNT}.")
    expect(admin_page.connection).to_contain_text(f"Connected as {ACCOUNT} since")
    assert MailboxOAuthToken.objects.filter(mailbox=mailbox).exists()

    admin_page.disconnect()
    expect(admin_page.messages).to_contain_text("Disconnected")
    expect(admin_page.connection).to_contain_text("Not connected")
