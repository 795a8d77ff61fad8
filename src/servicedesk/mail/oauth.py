"""OAuth 2.0 for mailboxes: the admin's consent (authorization code with PKCE) and fresh access
tokens for IMAP and SMTP (XOAUTH2).

An admin clicks "Connect" on a mailbox, signs in at the provider as the mailbox's account and
comes back; the refresh token the provider gives is kept encrypted (`MailboxOAuthToken`). Every
sign-in to IMAP or SMTP asks `access_token_for`, which refreshes the access token shortly
before it expires, under a row lock so that two workers never refresh at once (Microsoft rotates
refresh tokens; the loser would hold a spent one).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError as AuthlibError
from authlib.integrations.requests_client import OAuth2Session
from django.db import transaction
from django.utils import timezone
from requests import RequestException

from servicedesk.mail.choices import OAuthProvider
from servicedesk.mail.models import Mailbox, MailboxOAuthToken, OAuthApplication

HTTP_TIMEOUT = 20
# An access token this close to its end is refreshed before use: a fetch of a full inbox or a
# batch of mail must not run out of it half-way.
REFRESH_MARGIN = timedelta(minutes=5)
# When a provider does not say how long a token lives (the standard says it SHOULD).
ASSUMED_LIFETIME = timedelta(minutes=30)


class OAuthError(Exception):
    """The provider refused, or could not be reached; the message says what to do."""


@dataclass(frozen=True)
class Endpoints:
    authorization_url: str
    token_url: str
    scopes: str
    # Extra parameters of the authorization request.
    extra: tuple[tuple[str, str], ...] = ()


MICROSOFT = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0"
PRESETS: dict[str, Endpoints] = {
    OAuthProvider.MICROSOFT: Endpoints(
        authorization_url=MICROSOFT + "/authorize",
        token_url=MICROSOFT + "/token",
        scopes="openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All "
        "https://outlook.office.com/SMTP.Send",
    ),
    OAuthProvider.GOOGLE: Endpoints(
        authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        scopes="openid email https://mail.google.com/",
        # Google gives a refresh token only for offline access, and again only on consent.
        extra=(("access_type", "offline"), ("prompt", "consent")),
    ),
}


def endpoints(application: OAuthApplication) -> Endpoints:
    preset = PRESETS.get(application.provider, Endpoints("", "", ""))
    tenant = application.tenant.strip() or "organizations"
    resolved = Endpoints(
        authorization_url=application.authorization_url or preset.authorization_url,
        token_url=application.token_url or preset.token_url,
        scopes=application.scopes.strip() or preset.scopes,
        extra=preset.extra,
    )
    return Endpoints(
        authorization_url=resolved.authorization_url.replace("{tenant}", tenant),
        token_url=resolved.token_url.replace("{tenant}", tenant),
        scopes=resolved.scopes,
        extra=resolved.extra,
    )


def _session(application: OAuthApplication, redirect_uri: str = "") -> OAuth2Session:
    return OAuth2Session(
        client_id=application.client_id,
        client_secret=application.client_secret or None,
        scope=endpoints(application).scopes,
        redirect_uri=redirect_uri or None,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )


@dataclass(frozen=True)
class ConsentRequest:
    """Where to send the admin, and what to keep (in their session) until they come back."""

    url: str
    state: str
    code_verifier: str


def consent_request(application: OAuthApplication, redirect_uri: str) -> ConsentRequest:
    verifier = generate_token(64)
    state = generate_token(32)
    ends = endpoints(application)
    url, _ = _session(application, redirect_uri).create_authorization_url(
        ends.authorization_url, state=state, code_verifier=verifier, **dict(ends.extra)
    )
    return ConsentRequest(url=str(url), state=state, code_verifier=verifier)


def _account_in(token: dict[str, Any]) -> str:
    """Who signed in, from the ID token's claims, only to show the admin. The ID token came
    straight from the token endpoint over the connection we opened, so it is not verified
    again here; nothing is authorised by it."""
    id_token = str(token.get("id_token") or "")
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return ""
    if not isinstance(claims, dict):
        return ""
    return str(claims.get("email") or claims.get("preferred_username") or "")[:254]


def _expiry(token: dict[str, Any], now: datetime) -> datetime:
    try:
        return now + timedelta(seconds=int(token["expires_in"]))
    except (KeyError, TypeError, ValueError):
        return now + ASSUMED_LIFETIME


def _token_call(application: OAuthApplication, redirect_uri: str, **grant: Any) -> dict[str, Any]:
    session = _session(application, redirect_uri)
    url = endpoints(application).token_url
    try:
        if "refresh_token" in grant:
            token = session.refresh_token(url, timeout=HTTP_TIMEOUT, **grant)
        else:
            token = session.fetch_token(url, timeout=HTTP_TIMEOUT, **grant)
    except AuthlibError as refused:
        detail = refused.description or refused.error
        raise OAuthError(f"The provider refused: {refused.error} ({detail})") from refused
    except RequestException as unreachable:
        raise OAuthError(f"The provider could not be reached: {unreachable}") from unreachable
    if not token.get("access_token"):
        raise OAuthError("The provider's answer has no access token")
    return dict(token)


def mailbox_connect(
    mailbox: Mailbox, *, code: str, code_verifier: str, redirect_uri: str, by: Any
) -> MailboxOAuthToken:
    """Exchange the authorization code the admin came back with for the mailbox's tokens."""
    application = mailbox.oauth_application
    if application is None:
        raise OAuthError("This mailbox has no OAuth 2.0 application")
    token = _token_call(application, redirect_uri, code=code, code_verifier=code_verifier)
    if not token.get("refresh_token"):
        raise OAuthError(
            "The provider gave no refresh token: the application must ask for offline access"
        )
    now = timezone.now()
    with transaction.atomic():
        MailboxOAuthToken.objects.filter(mailbox=mailbox).delete()
        return MailboxOAuthToken.objects.create(
            mailbox=mailbox,
            account=_account_in(token),
            refresh_token=token["refresh_token"],
            access_token=token["access_token"],
            access_expires_at=_expiry(token, now),
            connected_at=now,
            connected_by=by,
            refreshed_at=now,
        )


def mailbox_disconnect(mailbox: Mailbox) -> None:
    with transaction.atomic():
        for connection in MailboxOAuthToken.objects.filter(mailbox=mailbox):
            connection.delete()  # one by one: the audit records each


def access_token_for(mailbox: Mailbox, now: datetime | None = None) -> str:
    """A current access token for the mailbox's account, refreshed first if it is about to end."""
    application = mailbox.oauth_application
    if application is None:
        raise OAuthError("This mailbox has no OAuth 2.0 application")
    with transaction.atomic():
        stored = MailboxOAuthToken.objects.select_for_update().filter(mailbox=mailbox).first()
        if stored is None:
            raise OAuthError("Not connected: an admin must click Connect on the mailbox")
        now = now or timezone.now()
        expires = stored.access_expires_at
        if stored.access_token and expires is not None and expires - REFRESH_MARGIN > now:
            return str(stored.access_token)
        token = _token_call(application, "", refresh_token=stored.refresh_token)
        stored.access_token = token["access_token"]
        stored.access_expires_at = _expiry(token, now)
        # Some providers send a new refresh token with each refresh; the old one is then spent.
        stored.refresh_token = token.get("refresh_token") or stored.refresh_token
        stored.refreshed_at = now
        stored.save(
            update_fields=["access_token", "access_expires_at", "refresh_token", "refreshed_at"]
        )
        return str(stored.access_token)


def access_token_refused(mailbox: Mailbox) -> None:
    """The server refused our access token though it had not expired (the provider ended it
    early): the next sign-in fetches a new one rather than present it again."""
    MailboxOAuthToken.objects.filter(mailbox=mailbox).update(
        access_token="", access_expires_at=None
    )


def xoauth2(user: str, access_token: str) -> str:
    """The XOAUTH2 SASL initial response (Google's and Microsoft's mechanism), not yet base64."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"
