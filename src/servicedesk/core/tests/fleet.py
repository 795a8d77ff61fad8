"""Real parts for the fault and multi-host tests: a PostgreSQL cluster the test owns (so it may
restart it), an SMTP sink that counts what arrives (aiosmtpd) and a webhook receiver, and the
app's own processes (`servicedesk worker`, `scheduler`, `serve`, gunicorn) started as an operator
would, optionally inside a network namespace.

They need root (PostgreSQL runs as the `postgres` user, namespaces need root) and PostgreSQL's
server binaries; the tests skip, saying so, where either is missing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

PROJECT_ROOT = Path(__file__).resolve().parents[4]
SERVICEDESK = str(Path(sys.executable).with_name("servicedesk"))
FLEET_SECRETS_KEY = base64.urlsafe_b64encode(b"fleet-test-secrets-key-32-bytes!").decode()


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def why_not_runnable() -> str | None:
    if os.geteuid() != 0:
        return "needs root: the test runs PostgreSQL as its own user and restarts it"
    if postgres_bin() is None:
        return "needs PostgreSQL's server binaries (bash .ci/install-system --postgres)"
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float, every: float = 0.2) -> float:
    """Waits until `check()` holds; returns the seconds it took; fails saying what never came."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"after {timeout:.0f} s still waiting for: {what}")
        time.sleep(every)
    return time.monotonic() - start


class Cluster:
    """A PostgreSQL cluster in a temporary folder, owned by the test (run as `postgres`)."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, netns: str = "") -> None:
        binaries = postgres_bin()
        assert binaries is not None
        self.bin = binaries
        self.host = host
        self.port = port or free_port()
        self.netns = netns
        self.root = Path(tempfile.mkdtemp(prefix="sd-pg-"))
        self.data = self.root / "data"
        shutil.chown(self.root, "postgres")
        self._as_postgres(
            [str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"],
            "--no-sync",
            "-E",
            "UTF8",
        )
        # The hosts of the multi-host test reach it over their own private network.
        with (self.data / "pg_hba.conf").open("a") as rules:
            rules.write("host all all 10.213.0.0/16 trust\n")

    def url_of(self, database: str) -> str:
        return f"postgres://postgres@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = [str(self.bin / "psql"), "-h", self.host, "-p", str(self.port), "-d", database]
        return self._as_postgres([*command, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql])

    def _as_postgres(self, command: Sequence[str], *more: str) -> str:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        done = subprocess.run(
            [*prefix, "runuser", "-u", "postgres", "--", *command, *more],
            capture_output=True,
            text=True,
            cwd="/",
        )
        assert done.returncode == 0, f"{command[0]}: {done.stdout}{done.stderr}"
        return done.stdout.strip()

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses={self.host} -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        pg_ctl = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log")]
        self._as_postgres([*pg_ctl, "-o", options, "-w", "start"])

    def stop(self) -> None:
        self._as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"])

    def move(self, *, host: str, netns: str) -> None:
        """Serve from another address (another host: a network namespace)."""
        self.stop()
        self.host, self.netns = host, netns
        self.start()

    def restart(self, pause: float) -> None:
        """Down for `pause` seconds, as a PostgreSQL upgrade or failover would take it."""
        self.stop()
        time.sleep(pause)
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(AssertionError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Arrival:
    to: list[str]
    message_id: str
    subject: str
    at: float


@dataclass
class SinkHandler:
    """Records each message as the server takes it; `delay` makes each answer take a little time."""

    delay: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        arrival = Arrival(
            list(envelope.rcpt_tos),
            str(message["Message-ID"]),
            str(message["Subject"]),
            time.time(),
        )
        with self.lock:
            # The message is the server's from the final line on, as with a real mail server
            # (it has queued it before it answers): the slowness comes after.
            self.arrivals.append(arrival)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted"


class Sink:
    """A real SMTP server (aiosmtpd) that counts what it was handed."""

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.host = host
        self.port = free_port(host)
        self.handler = SinkHandler(delay=delay)
        self._controller = Controller(self.handler, hostname=host, port=self.port)

    def __enter__(self) -> Sink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def arrivals(self) -> list[Arrival]:
        with self.handler.lock:
            return list(self.handler.arrivals)

    def count(self) -> int:
        return len(self.arrivals)

    def copies_of_each(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for arrival in self.arrivals:
            counts[arrival.message_id] = counts.get(arrival.message_id, 0) + 1
        return counts


def outbox_pending(cluster: Cluster, database: str) -> int:
    sql = "SELECT count(*) FROM notifications_outboundemail WHERE state = 'pending'"
    return int(cluster.psql(sql, database))


def lost_at_the_kill(sink: Sink, cluster: Cluster, database: str, killed_at: float) -> list[str]:
    """The Message-IDs the outbox records sent that the server never got. A worker killed in the
    instant between committing a row sent and sending its final line loses that one message, by
    design, rather than ever sending one twice (docs/deploy.md, "Mail is sent once"). More than
    one lost, or one recorded sent after the kill (`killed_at`, wall clock), is a fault."""
    rows = cluster.psql(
        "SELECT headers->>'Message-ID', extract(epoch FROM sent_at) "
        "FROM notifications_outboundemail WHERE state = 'sent'",
        database,
    )
    arrived = set(sink.copies_of_each())
    lost = [row.split("|") for row in rows.splitlines() if row.split("|")[0] not in arrived]
    assert len(lost) <= 1, f"{len(lost)} messages recorded sent never arrived: {lost}"
    assert all(float(sent_at) < killed_at for _, sent_at in lost), (lost, killed_at)
    return [message_id for message_id, _ in lost]


class WebhookReceiver:
    """Counts webhook deliveries by their delivery id (the header a receiver dedupes on)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.deliveries: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                json.loads(self.rfile.read(length) or b"{}")
                receiver.deliveries.append(str(self.headers.get("X-Servicedesk-Delivery")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/hook"

    def __enter__(self) -> WebhookReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def app_environment(database_url: str, data_dir: Path, sink: Sink, **more: str) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if not name.startswith("SERVICEDESK")}
    keep.pop("DATABASE_URL", None)
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **keep,
        "DATABASE_URL": database_url,
        "SERVICEDESK_DATA_DIR": str(data_dir),
        "SECRET_KEY": "fleet-test-key-" + "x" * 40,
        "SERVICEDESK_SECRETS_KEYS": FLEET_SECRETS_KEY,
        "SERVICEDESK_SMTP_HOST": sink.host,
        "SERVICEDESK_SMTP_PORT": str(sink.port),
        "SERVICEDESK_MAIL_DELIVERY": "smtp",
        "SERVICEDESK_LOG_LEVEL": "WARNING",
        **more,
    }


class Fleet:
    """The app's processes a test started; each is stopped (and waited for) at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(
        self, name: str, command: Sequence[str], env: dict[str, str], netns: str = ""
    ) -> subprocess.Popen[bytes]:
        prefix = ["ip", "netns", "exec", netns] if netns else []
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [*prefix, *command], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
        )
        self.processes[name] = process
        return process

    def run(self, command: Sequence[str], env: dict[str, str], netns: str = "") -> str:
        prefix = ["ip", "netns", "exec", netns] if netns else []
        done = subprocess.run(
            [*prefix, *command], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children_of(pid: int) -> set[int]:
    """The direct children of a process (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def shell(code: str) -> list[str]:
    """`servicedesk shell -c CODE` as a command."""
    return [SERVICEDESK, "shell", "-c", code]


# Run by `servicedesk shell`: a requester with an API token (printed), and an administrator whose
# organisation-wide webhook (to the URL in the environment, if any) hears of every new ticket.
SEED = """
import os
from servicedesk.api.services import token_create
from servicedesk.api.webhooks import WebhookEventType, webhook_subscribe
from servicedesk.directory.choices import Role
from servicedesk.directory.models import Person
rita = Person.objects.create_user("rita", "rita@example.org", "pw", role=Role.REQUESTER)
if os.environ.get("FLEET_WEBHOOK_URL"):
    boss = Person.objects.create_user("boss", "boss@example.org", "pw", role=Role.ADMIN)
    webhook_subscribe(
        boss, os.environ["FLEET_WEBHOOK_URL"], [WebhookEventType.CREATED],
        allow_private=True, organisation_wide=True,
    )
print(token_create(rita, "fleet")[1])
"""

# A broadcast: one bulk mail to each of COUNT addresses, queued in one transaction.
BROADCAST = """
from django.db import transaction
from servicedesk.notifications.services import mail_addresses
with transaction.atomic():
    mail_addresses(
        [f"reader{{index}}@example.org" for index in range({count})],
        subject="Planned outage of the payroll system", text="Saturday 6-8 am.",
        event="broadcast", event_key="{key}",
    )
"""


class Desk:
    """The API of one web server, as a requester with a token uses it."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def up(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def file(self, text: str) -> tuple[str, float]:
        """Files a ticket; returns its number and when the server confirmed it."""
        body = json.dumps({"kind": "incident", "short_description": text}).encode()
        request = urllib.request.Request(
            f"{self.base}/api/v1/tickets",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            assert response.status == 201
            number = str(json.loads(response.read())["number"])
        return number, time.time()

    def files(self, text: str) -> bool:
        """Files a ticket if the server can; False while it cannot (its database is away)."""
        try:
            self.file(text)
        except (OSError, AssertionError):
            return False
        return True
