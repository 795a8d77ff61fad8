"""`servicedesk api_token USERNAME`: print a new personal API token for scripts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from servicedesk.api.services import TokenError, token_create
from servicedesk.directory.models import Person


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="script", help="What the token is for.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Days until it stops working."
        )

    def handle(
        self, *args: Any, username: str, name: str, expires_days: int | None, **options: Any
    ) -> None:
        owner = Person.objects.filter(username=username, is_active=True).first()
        if owner is None:
            raise CommandError(f"There is no active person with the username {username!r}.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            _token, plaintext = token_create(owner, name, expires_at=expires_at)
        except TokenError as refused:
            raise CommandError(refused.message) from refused
        # Only the token on stdout, so that scripts can capture it: TOKEN=$(servicedesk api_token …)
        self.stdout.write(plaintext)
