"""The console an operator watches: one line a request with its id, failures, no routine noise."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client

from servicedesk.config.logs import logging_config


@pytest.fixture
def console() -> Iterator[Callable[[str], io.StringIO]]:
    """The app's own logging set-up, writing to a buffer instead of stderr."""
    written = io.StringIO()

    def configure(log_format: str) -> io.StringIO:
        config = logging_config(log_format=log_format, level="INFO")
        config["handlers"]["console"]["stream"] = written
        logging.config.dictConfig(config)
        return written

    yield configure
    logging.config.dictConfig(settings.LOGGING)


def _worker_says() -> None:
    # What django-tasks' worker logs (it sets these loggers to INFO when it starts).
    for name in ("django_tasks", "django_tasks_db"):
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("django_tasks").info("Task id=1 path=deliver_outbox state=SUCCESSFUL")
    logging.getLogger("django_tasks_db").info("Starting worker worker_id=abc queues=default")
    logging.getLogger("django_tasks").error("Task id=2 path=fetch_mail state=FAILED")


@pytest.mark.django_db
def test_text_console_shows_requests_with_their_id_and_failed_tasks_only(
    console: Callable[[str], io.StringIO],
) -> None:
    written = console("text")
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="proxy-id-12345678")
    assert response["X-Request-ID"] == "proxy-id-12345678"
    _worker_says()

    lines = written.getvalue().splitlines()
    assert any(
        "[proxy-id-12345678] servicedesk.access" in line and '"GET /healthz" 200' in line
        for line in lines
    ), lines
    assert any("state=FAILED" in line for line in lines)
    assert not any("SUCCESSFUL" in line or "Starting worker" in line for line in lines)


@pytest.mark.django_db
def test_an_unusable_request_id_is_replaced_and_json_lines_carry_it(
    console: Callable[[str], io.StringIO],
) -> None:
    written = console("json")
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="<script>")
    made = response["X-Request-ID"]
    assert made != "<script>" and len(made) == 32

    access = [json.loads(line) for line in written.getvalue().splitlines()]
    assert access[-1]["request_id"] == made
    assert access[-1]["logger"] == "servicedesk.access"
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/healthz"
