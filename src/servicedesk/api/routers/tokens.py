"""`/tokens`: people create, list and revoke their own personal API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from servicedesk.api.auth import caller
from servicedesk.api.errors import ERRORS, WRITE_ERRORS
from servicedesk.api.models import ApiToken
from servicedesk.api.schemas.common import Id
from servicedesk.api.schemas.tokens import TokenCreatedOut, TokenIn, TokenOut
from servicedesk.api.services import token_create, token_revoke
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person

router = Router(tags=["tokens"])


def visible_tokens(viewer: Person) -> QuerySet[ApiToken]:
    """One's own tokens; an administrator sees everyone's (to revoke a leaked one)."""
    tokens = ApiToken.objects.all()
    return tokens if viewer.role == Role.ADMIN else tokens.filter(owner=viewer)


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def token_list(request: HttpRequest) -> QuerySet[ApiToken]:
    return visible_tokens(caller(request))


@router.post("/tokens", response={201: TokenCreatedOut, **WRITE_ERRORS})
def token_add(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """A new token for the caller. Its secret is in this answer only: store it now."""
    token, plaintext = token_create(caller(request), payload.name, payload.expires_at)
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": plaintext})


@router.delete("/tokens/{token_id}", response={204: None, **WRITE_ERRORS})
def token_delete(request: HttpRequest, token_id: Id) -> Status[None]:
    viewer = caller(request)
    token_revoke(visible_tokens(viewer).get(pk=token_id), viewer)
    return Status(204, None)
