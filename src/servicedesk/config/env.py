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
        password_reset_url=os.environ.get(
            "SERVICEDESK_PASSWORD_RESET_URL", "/accounts/password_change/"
        ),
        dispute_window_days=int(os.environ.get("SERVICEDESK_DISPUTE_WINDOW_DAYS", "3")),
        # Lets two test runs share one PostgreSQL server without dropping each other's database.
        test_database_name=os.environ.get("SERVICEDESK_TEST_DATABASE_NAME"),
    )
