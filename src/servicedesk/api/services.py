"""Writes for personal API tokens: create (the secret is returned once), revoke, authenticate."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone

from servicedesk.api.models import ApiToken
from servicedesk.core.errors import DomainError
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person

TOKEN_MARK = "sd"
# A token's last use is written at most this often, so that reads don't each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenErrorCode(StrEnum):
    NOT_PERMITTED = "not_permitted"
    REQUIRED = "required"
    INVALID_VALUE = "invalid_value"


class TokenError(DomainError):
    code: TokenErrorCode


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def token_create(
    owner: Person, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `owner` and its plaintext, which is never stored and cannot be shown
    again."""
    name = name.strip()
    if not name:
        raise TokenError(TokenErrorCode.REQUIRED, "Give the token a name.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(
            TokenErrorCode.INVALID_VALUE, "The expiry must be in the future.", field="expires_at"
        )
    for _attempt in range(5):
        prefix = secrets.token_hex(6)
        plaintext = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    owner=owner,
                    name=name[:100],
                    prefix=prefix,
                    secret_hash=_hash(plaintext),
                    expires_at=expires_at,
                )
        except IntegrityError:
            continue  # a prefix collision: vanishingly rare, so simply draw again
        return token, plaintext
    raise RuntimeError("could not draw a unique token prefix")


def token_revoke(token: ApiToken, actor: Person) -> ApiToken:
    """Revoke a token; its owner or an administrator may. Revoking twice changes nothing."""
    if actor.pk != token.owner_id and actor.role != Role.ADMIN:
        raise TokenError(
            TokenErrorCode.NOT_PERMITTED,
            "Only the token's owner or an administrator can revoke it.",
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(plaintext: str) -> Person | None:
    """The active owner of a usable token, or None for anything else (wrong, revoked, expired)."""
    parts = plaintext.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK:
        return None
    # The owner's agency and location come along: filing a ticket reads both (no extra query).
    token = (
        ApiToken.objects.select_related("owner__agency", "owner__location")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(plaintext.strip())):
        return None
    now = timezone.now()
    if not token.is_usable(now) or not token.owner.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.owner
