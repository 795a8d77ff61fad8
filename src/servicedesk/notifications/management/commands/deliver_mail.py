"""`servicedesk deliver_mail`: send the outbox once (for cron, and for tests)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from servicedesk.notifications.delivery import deliver_all_due


class Command(BaseCommand):
    help = "Send every due mail in the outbox once, with the usual retries and backoff."

    def handle(self, *args: Any, **options: Any) -> None:
        report = deliver_all_due()
        self.stdout.write(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
        for error in sorted(set(report.errors))[:10]:
            self.stderr.write(f"  {error}")
