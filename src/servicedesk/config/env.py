"""The one module that reads the process environment.

Everything configurable by an operator is read here, once, and handed to settings as typed
values, so that no other module depends on `os.environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Environment:
    debug: bool
    secret_key: str
    database_url: str
    allowed_hosts: list[str]
    data_dir: Path
    port: int
    password_reset_url: str
    dispute_window_days: int
    test_database_name: str | None
    p1_around_the_clock: bool
    base_url: str
    base_url_configured: bool
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    mail_domain: str
    mail_unknown_sender: str


def read_environment() -> Environment:
    data_dir = Path(os.environ.get("SERVICEDESK_DATA_DIR", PROJECT_ROOT / "var"))
    return Environment(
        debug=_flag("SERVICEDESK_DEBUG", False),
        # The fallback key only ever serves the embedded demo; production sets its own.
        secret_key=os.environ.get(
            "SECRET_KEY", "servicedesk-insecure-demo-key-change-me-0123456789"
        ),
        database_url=os.environ.get(
            "DATABASE_URL", f"sqlite:///{data_dir / 'servicedesk.sqlite3'}"
        ),
        allowed_hosts=os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(","),
        data_dir=data_dir,
        port=int(os.environ.get("PORT", "8000")),
        # Empty: the portal's own "Update password" page; or an outside self-service page.
        password_reset_url=os.environ.get("SERVICEDESK_PASSWORD_RESET_URL", ""),
        dispute_window_days=int(os.environ.get("SERVICEDESK_DISPUTE_WINDOW_DAYS", "3")),
        # Lets two test runs share one PostgreSQL server without dropping each other's database.
        test_database_name=os.environ.get("SERVICEDESK_TEST_DATABASE_NAME"),
        p1_around_the_clock=_flag("SERVICEDESK_P1_AROUND_THE_CLOCK", True),
        # Links in mail point here: the address people use to reach the portal. Unset, it is
        # the address the server runs on (`servicedesk serve` passes its own to its workers).
        base_url=os.environ.get(
            "SERVICEDESK_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        ).rstrip("/"),
        base_url_configured=bool(os.environ.get("SERVICEDESK_BASE_URL")),
        smtp_host=os.environ.get("SERVICEDESK_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("SERVICEDESK_SMTP_PORT", "25")),
        smtp_user=os.environ.get("SERVICEDESK_SMTP_USER", ""),
        smtp_password=os.environ.get("SERVICEDESK_SMTP_PASSWORD", ""),
        smtp_starttls=_flag("SERVICEDESK_SMTP_STARTTLS", False),
        mail_from=os.environ.get("SERVICEDESK_MAIL_FROM", "Service Desk <servicedesk@localhost>"),
        # The right-hand side of our Message-IDs: how we recognise our own mail coming back.
        mail_domain=os.environ.get("SERVICEDESK_MAIL_DOMAIN", "servicedesk.localhost"),
        # "quarantine": mail from an address nobody in the directory has waits for an agent;
        # "create": such a sender becomes a requester.
        mail_unknown_sender=os.environ.get("SERVICEDESK_MAIL_UNKNOWN_SENDER", "quarantine"),
    )
