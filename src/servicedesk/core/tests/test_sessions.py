"""A session's row is read by a kept statement (`core/sessions.py`) and expires as Django's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_live_session_keeps_its_person_signed_in_and_an_expired_one_does_not(
    client: Client, org: Org
) -> None:
    client.force_login(org.desk)
    assert client.get("/workspace/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert "next=/workspace/" in response["Location"]


def test_an_unknown_key_starts_an_empty_session_under_a_new_key() -> None:
    store = SessionStore(session_key="x" * 32)
    assert store.load() == {}
    assert store.session_key is None
