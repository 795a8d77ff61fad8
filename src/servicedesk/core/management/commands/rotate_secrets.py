"""Re-encrypt every secret at rest with the newest key of SERVICEDESK_SECRETS_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from servicedesk.core.crypto import generate_key, secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt mailbox passwords and webhook secrets with the first key of "
        "SERVICEDESK_SECRETS_KEYS (every listed key still decrypts). "
        "--generate-key prints a new key."
    )

    # Generating the first key must work on an installation that fails its check for lacking one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new key and change nothing."
        )

    def handle(self, *args: Any, generate_key: bool, **options: Any) -> None:
        if generate_key:
            self.stdout.write(_new_key())
            return
        with transaction.atomic():
            count = secrets_reencrypt()
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")


def _new_key() -> str:
    return generate_key()
