"""The local secret key of a developer's checkout (never used when SECRET_KEY is set)."""

from __future__ import annotations

import secrets
from pathlib import Path

from servicedesk.config.env import LOCAL_KEY_FILE_NAME


def local_secret_key(data_dir: Path) -> str:
    """This installation's own key in `data_dir`, written on first use (readable by us only)."""
    key_file = data_dir / LOCAL_KEY_FILE_NAME
    if not key_file.is_file():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50) + "\n")
    return key_file.read_text().strip()
