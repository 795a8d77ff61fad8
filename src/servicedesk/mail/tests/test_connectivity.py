"""Reading a mailbox the way cloud mailboxes demand: TLS or STARTTLS with a checked certificate,
and OAuth 2.0 (XOAUTH2) instead of a password, with the access token renewed before it ends.

Against a real Dovecot whose OAuth2 password database asks the test authorization server
(tests/servers/oauth.py, standing in for Microsoft's and Google's) whether a token is active.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.mail.choices import InboundState, OAuthProvider, TransportSecurity
from servicedesk.mail.fetching import fetch_all, fetch_mailbox
from servicedesk.mail.models import Mailbox, MailboxOAuthToken, OAuthApplication
from servicedesk.mail.oauth import access_token_for
from servicedesk.mail.tests.conftest import IMAP_USER, Dovecot, eml
from servicedesk.tickets.models import Ticket
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, AuthorizationServer


def an_application(oauth_server: AuthorizationServer) -> OAuthApplication:
    return OAuthApplication.objects.create(
        name="Test provider",
        provider=OAuthProvider.OTHER,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        authorization_url=f"{oauth_server.base_url}/authorize",
        token_url=f"{oauth_server.base_url}/token",
        scopes="mail offline_access",
    )


def connected(mailbox: Mailbox, oauth_server: AuthorizationServer) -> MailboxOAuthToken:
    """As after an admin's Connect: a refresh token the provider issued, no access token yet."""
    issued = oauth_server._issue(IMAP_USER, "mail")
    return MailboxOAuthToken.objects.create(
        mailbox=mailbox, account=IMAP_USER, refresh_token=issued["refresh_token"]
    )


@pytest.fixture
def oauth_mailbox(
    imap_mailbox: Mailbox,
    dovecot: Dovecot,
    oauth_server: AuthorizationServer,
    trusted_certificate: Path,
) -> Mailbox:
    imap_mailbox.imap_password = ""  # no password: only the token can open it
    imap_mailbox.imap_security = TransportSecurity.STARTTLS
    imap_mailbox.oauth_application = an_application(oauth_server)
    imap_mailbox.save()
    connected(imap_mailbox, oauth_server)
    return imap_mailbox


@pytest.mark.parametrize("security", [TransportSecurity.STARTTLS, TransportSecurity.TLS])
def test_an_oauth_mailbox_is_read_over_tls_with_a_token(
    org: Org,
    oauth_mailbox: Mailbox,
    dovecot: Dovecot,
    oauth_server: AuthorizationServer,
    security: str,
) -> None:
    oauth_mailbox.imap_security = security
    oauth_mailbox.imap_port = (
        dovecot.tls_port if security == TransportSecurity.TLS else dovecot.port
    )
    oauth_mailbox.save()
    dovecot.deliver(eml("new_ticket.eml"))
    introspected = oauth_server.calls["introspect"]

    report = fetch_mailbox(oauth_mailbox)

    assert report.outcomes == {InboundState.PROCESSED: 1}
    assert Ticket.objects.get().requester == org.employee
    # Dovecot asked the provider about the token we presented.
    assert oauth_server.calls["introspect"] > introspected


def test_the_access_token_is_renewed_shortly_before_it_ends_and_not_before(
    org: Org, oauth_mailbox: Mailbox, dovecot: Dovecot, oauth_server: AuthorizationServer
) -> None:
    refreshed = oauth_server.calls["refresh_token"]
    fetch_mailbox(oauth_mailbox)  # no access token yet: one is fetched
    fetch_mailbox(oauth_mailbox)  # still fresh: reused
    assert oauth_server.calls["refresh_token"] == refreshed + 1

    stored = MailboxOAuthToken.objects.get()
    first_access, first_refresh = stored.access_token, stored.refresh_token
    # Four minutes left: within the margin, so it is renewed before use (and the provider's
    # rotated refresh token replaces the spent one).
    MailboxOAuthToken.objects.filter(pk=stored.pk).update(
        access_expires_at=timezone.now() + timedelta(minutes=4)
    )
    dovecot.deliver(eml("new_ticket.eml"))
    assert fetch_mailbox(oauth_mailbox).outcomes == {InboundState.PROCESSED: 1}
    stored.refresh_from_db()
    assert oauth_server.calls["refresh_token"] == refreshed + 2
    assert stored.access_token != first_access and stored.refresh_token != first_refresh
    assert oauth_server.active_account(stored.access_token) == IMAP_USER


def test_tokens_are_encrypted_at_rest(oauth_mailbox: Mailbox) -> None:
    access_token_for(oauth_mailbox)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token, access_token FROM mail_mailboxoauthtoken")
        refresh, access = cursor.fetchone()
    stored = MailboxOAuthToken.objects.get()
    assert refresh.startswith("fernet:") and stored.refresh_token not in refresh
    assert access.startswith("fernet:") and stored.access_token not in access


def test_a_revoked_consent_stops_that_mailbox_with_the_reason_and_not_the_others(
    org: Org, oauth_mailbox: Mailbox, dovecot: Dovecot, oauth_server: AuthorizationServer
) -> None:
    dovecot.deliver(eml("new_ticket.eml"))
    oauth_server.revoke_refresh_tokens()  # e.g. the account's password was reset
    reports = fetch_all()
    assert reports == {}
    oauth_mailbox.refresh_from_db()
    assert "invalid_grant" in oauth_mailbox.last_error
    assert dovecot.unseen_on_disk() == 1 and not Ticket.objects.exists()


def test_a_token_the_provider_no_longer_honours_is_refused_by_the_server(
    org: Org, oauth_mailbox: Mailbox, dovecot: Dovecot, oauth_server: AuthorizationServer
) -> None:
    """Dovecot asks the provider: a token we believe fresh but the provider ended is refused;
    the next run fetches a new one instead of presenting the dead one again."""
    access_token_for(oauth_mailbox)
    oauth_server.expire_access_tokens()
    dovecot.deliver(eml("new_ticket.eml"))
    fetch_all()
    oauth_mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in oauth_mailbox.last_error
    assert not Ticket.objects.exists()

    fetch_all()
    oauth_mailbox.refresh_from_db()
    assert oauth_mailbox.last_error == "" and Ticket.objects.count() == 1


def test_a_certificate_nobody_vouches_for_is_refused(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot
) -> None:
    """Without the test certificate trusted, STARTTLS to the same server must fail."""
    imap_mailbox.imap_security = TransportSecurity.STARTTLS
    imap_mailbox.save()
    dovecot.deliver(eml("new_ticket.eml"))
    fetch_all()
    imap_mailbox.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in imap_mailbox.last_error
    assert not Ticket.objects.exists()


def test_a_password_mailbox_is_read_over_starttls(
    org: Org, imap_mailbox: Mailbox, dovecot: Dovecot, trusted_certificate: Path
) -> None:
    imap_mailbox.imap_security = TransportSecurity.STARTTLS
    imap_mailbox.save()
    dovecot.deliver(eml("new_ticket.eml"))
    assert fetch_mailbox(imap_mailbox).outcomes == {InboundState.PROCESSED: 1}
