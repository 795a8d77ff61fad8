"""Fixtures for API tests: bearer tokens for the `org` people and a JSON client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from servicedesk.api.services import token_create
from servicedesk.conftest import Org
from servicedesk.directory.models import Person


class ApiClient:
    """Django's test client speaking JSON with a personal token, as a script would."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None, if_match: str | None = None) -> Any:
        call = getattr(self.client, method)
        headers = {**self.headers, **({"If-Match": if_match} if if_match else {})}
        return call(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=headers,
        )

    def post(self, path: str, body: Any = None, if_match: str | None = None) -> Any:
        return self.send("post", path, body, if_match)

    def patch(self, path: str, body: Any = None, if_match: str | None = None) -> Any:
        return self.send("patch", path, body, if_match)

    def upload(self, path: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            f"/api/v1{path}",
            {"file": SimpleUploadedFile(name, content)},
            headers=self.headers,
        )


@pytest.fixture
def api_as(org: Org) -> Callable[[Person], ApiClient]:
    def make(person: Person) -> ApiClient:
        _token, plaintext = token_create(person, "tests")
        return ApiClient(plaintext)

    return make
