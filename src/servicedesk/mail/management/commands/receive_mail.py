"""`servicedesk receive_mail --port N`: an SMTP server that files mail for our mailboxes."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail.receiving import desk_receiver


class Command(BaseCommand):
    help = "Receive mail over SMTP for the mailboxes' addresses until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        controller = desk_receiver(host, port)
        stopped = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        controller.start()
        tls = " (STARTTLS offered)" if settings.SERVICEDESK_SMTP_RECEIVER_TLS_CERT else ""
        self.stdout.write(f"Receiving mail on {host}:{port}{tls}; Ctrl-C stops.")
        stopped.wait()
        controller.stop()
