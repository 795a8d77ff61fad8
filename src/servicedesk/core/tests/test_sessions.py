"""A session's row and its person are read by kept statements (`core/sessions.py`,
`directory/sign_in/local.py`); a session expires as Django's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from servicedesk.conftest import Org
from servicedesk.core.sessions import SessionStore
from servicedesk.core.tests.test_kept_queries import compilations

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


def test_a_session_signed_in_before_the_local_backend_took_djangos_place_stays_signed_in(
    client: Client, org: Org
) -> None:
    client.force_login(org.desk, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/workspace/").status_code == 200


def test_a_signed_in_page_reads_its_person_without_compiling_the_read_again(
    client: Client, org: Org
) -> None:
    client.force_login(org.desk)
    client.get("/healthz")
    assert client.get("/workspace/").status_code == 200
    with compilations() as compiled:
        assert client.get("/workspace/").status_code == 200
    assert not any('FROM "directory_person"' in sql for sql in compiled), compiled
