"""Production settings: the documented environment passes Django's deploy check, a missing key
stops the start, and every page carries the security headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from servicedesk.config.env import PROJECT_ROOT

DEPLOY_DOC = PROJECT_ROOT / "docs" / "deploy.md"


def documented_production_environment() -> dict[str, str]:
    """The `KEY=value` lines of docs/deploy.md's production block, as an operator copies them."""
    text = DEPLOY_DOC.read_text()
    section = text.split("## The production environment", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    pairs = (line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _servicedesk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what any service has, plus the documented block: nothing of the test run leaks in.
    basics = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    clean = {name: os.environ[name] for name in basics if name in os.environ}
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.manage", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production(tmp_path: Path) -> dict[str, str]:
    env = documented_production_environment()
    key_file = tmp_path / "secret_key"
    key_file.write_text("k3y-" + "x7Qp9" * 12)
    env["SECRET_KEY_FILE"] = str(key_file)
    secrets_keys = tmp_path / "secrets_keys"
    secrets_keys.write_text(Fernet.generate_key().decode() + "\n")
    env["SERVICEDESK_SECRETS_KEYS_FILE"] = str(secrets_keys)
    env["SERVICEDESK_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path: Path) -> None:
    done = _servicedesk(["check", "--deploy", "--fail-level", "WARNING"], _production(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_without_a_secret_key_production_refuses_to_start_and_says_why(tmp_path: Path) -> None:
    env = _production(tmp_path)
    del env["SECRET_KEY_FILE"]
    done = _servicedesk(["check"], env)
    assert done.returncode == 1
    assert "SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_variable_the_environment_module_reads_is_documented() -> None:
    source = (PROJECT_ROOT / "src" / "servicedesk" / "config" / "env.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_flag|_list|_rate)\(\s*"([A-Z0-9_]+)"', source))
    table = DEPLOY_DOC.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.MULTILINE))
    assert len(read) > 25
    assert read - documented == set()
    assert documented - read == set()


@pytest.mark.django_db
def test_pages_carry_a_script_policy_without_inline_scripts(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_over_https_plain_http_is_redirected_and_cookies_are_secure(settings: object) -> None:
    settings.SECURE_SSL_REDIRECT = True  # type: ignore[attr-defined]
    settings.SECURE_HSTS_SECONDS = 31536000  # type: ignore[attr-defined]
    settings.CSRF_COOKIE_SECURE = True  # type: ignore[attr-defined]
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # probes stay on plain http

    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure.cookies["csrftoken"]["secure"]


TEMPLATES = sorted((PROJECT_ROOT / "src").rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_an_event_handler_attribute() -> None:
    assert len(TEMPLATES) > 30
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in TEMPLATES
        if INLINE_SCRIPT.search(path.read_text()) or HANDLER.search(path.read_text())
    ]
    assert offenders == []


def test_the_favicon_is_served_where_browsers_ask_for_it(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
