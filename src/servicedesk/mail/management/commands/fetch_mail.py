"""`servicedesk fetch_mail`: read every active IMAP mailbox once (for cron, and for tests)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from servicedesk.mail.fetching import fetch_all


class Command(BaseCommand):
    help = "Fetch unseen mail from every active IMAP mailbox once and file it."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, report in fetch_all().items():
            outcomes = ", ".join(f"{state} {count}" for state, count in report.outcomes.items())
            self.stdout.write(f"{name}: fetched {report.fetched}, new {report.new}. {outcomes}")
