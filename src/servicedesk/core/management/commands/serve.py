"""Serve the web app (gunicorn), a task worker, a mail worker and the scheduler until Ctrl-C;
a child that stops is started again (core.supervision)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from servicedesk.core.periodic import MAIL_QUEUE
from servicedesk.core.supervision import Child, Supervisor


def web_server_command(*, host: str, port: int, workers: int) -> list[str]:
    """The web server as `serve` starts it (and the page benchmark, which times what is served)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "servicedesk.config.asgi",
        # ASGI, so that the chat's live streams wait without holding a worker.
        "--worker-class",
        "uvicorn_worker.UvicornWorker",
        "--config",
        "python:servicedesk.config.gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
    ]


class Command(BaseCommand):
    help = "Serve the app with gunicorn plus one task worker; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.ENV.port)
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument(
            "--demo-logins", action="store_true", help="Print the demo organisation's logins."
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=None,
            help="Also receive mail for the mailboxes over SMTP on this port (same host).",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        web_workers: int,
        demo_logins: bool,
        smtp_port: int | None,
        **options: Any,
    ) -> None:
        # Links in mail name the address served here unless an administrator set another.
        children_env = dict(os.environ)
        if not settings.ENV.base_url_configured:
            children_env["SERVICEDESK_BASE_URL"] = f"http://{host}:{port}"
        manage = [sys.executable, "-m", "servicedesk.manage"]
        children = [
            Child(
                "web server",
                web_server_command(host=host, port=port, workers=web_workers),
                children_env,
            ),
            Child("task worker", [*manage, "worker"], children_env),
            Child("mail worker", [*manage, "worker", "--queue-name", MAIL_QUEUE], children_env),
            Child("scheduler", [*manage, "scheduler"], children_env),
        ]
        if smtp_port:
            receive = ["receive_mail", "--host", host, "--port", str(smtp_port)]
            children.append(Child("mail receiver", [*manage, *receive], children_env))
        self._announce(host, port, demo_logins, smtp_port)
        # Each child that stops is started again with backoff; only a signal stops all (exit 0).
        Supervisor(children).run()
        self.stdout.write("Servicedesk stopped.")

    def _announce(self, host: str, port: int, demo_logins: bool, smtp_port: int | None) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Servicedesk is running on http://{host}:{port}/"))
        if smtp_port:
            self.stdout.write(f"Mail for the desk's mailboxes: SMTP on {host}:{smtp_port}")
        if settings.SERVICEDESK_MAIL_DELIVERY == "files":
            self.stdout.write(f"Mail it sends is written to {settings.EMAIL_FILE_PATH}")
        if demo_logins:
            from servicedesk.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD

            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:<10} {login.name:<16} → {login.lands_on}")
        self.stdout.write("Press Ctrl-C to stop the web server and the workers.")
        self.stdout.write("")
