"""Readiness tells a load balancer and an operator what is wrong, by name; liveness stays bare."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from servicedesk.notifications.models import OutboundEmail
from servicedesk.notifications.tasks import deliver_outbox


def _ready(client: Client) -> tuple[int, dict[str, object]]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_ready_when_the_database_answers_and_nothing_waits(client: Client) -> None:
    status, body = _ready(client)
    assert status == 200
    assert body["status"] == "ready"
    assert body["failing"] == []
    assert client.get("/healthz").content == b"ok"


@pytest.mark.django_db
def test_a_stopped_worker_shows_as_a_task_backlog(client: Client) -> None:
    deliver_outbox.enqueue()
    assert _ready(client)[0] == 200  # just enqueued: a running worker would take it now

    an_hour_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.update(enqueued_at=an_hour_ago)
    status, body = _ready(client)

    assert status == 503
    assert body["failing"] == ["tasks"]
    assert "tasks waiting: 1, the oldest for 36" in body["checks"]["tasks"]["detail"]  # type: ignore[index]


@pytest.mark.django_db
def test_mail_nobody_delivers_shows_as_an_outbox_backlog(client: Client) -> None:
    OutboundEmail.objects.create(
        to_address="emma@example.org",
        subject="Your ticket",
        body_text="…",
        event="created",
        kind="acknowledgement",
        dedupe_key="readiness-test|emma@example.org",
        next_attempt_at=timezone.now() - timedelta(hours=2),
    )
    status, body = _ready(client)
    assert status == 503
    assert body["failing"] == ["outbox"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_database_is_named_and_its_address_not_shown() -> None:
    # A real failure: the app in a process of its own, pointed at a port where nothing listens.
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://servicedesk:secret@127.0.0.1:{_free_port()}/servicedesk",
        "SERVICEDESK_TEST_DATABASE_NAME": "",
    }
    probe = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    env["DJANGO_SETTINGS_MODULE"] = "servicedesk.config.settings"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    status, body = done.stdout.split("\n", 1)
    answer = json.loads(body)
    assert status == "503"
    assert answer["failing"] == ["database", "tasks", "outbox"]
    assert answer["checks"]["database"]["detail"] == "unreachable (OperationalError)"
    assert "127.0.0.1" not in body and "secret" not in body
