"""Mail fixtures: the .eml files, a desk mailbox, and a private Dovecot IMAP server on loopback.

Dovecot runs from its own config in a temporary folder: Maildir storage, one listener that offers
STARTTLS (and still allows a plaintext login on 127.0.0.1) and one that speaks TLS from the first
byte, both with the session's self-signed certificate; passwords from a passwd-file, and OAuth 2.0
(XOAUTH2, OAUTHBEARER) checked against the test authorization server's introspection endpoint.
Tests deliver mail by writing files into the Maildir's `new/` folder, as a local delivery agent
would.
"""

from __future__ import annotations

import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from servicedesk.conftest import Org
from servicedesk.mail.choices import TransportSecurity
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.receiving import DeskHandler
from servicedesk.notifications.message_ids import thread_root_id
from servicedesk.notifications.tests.smtp_server import free_port, smtp_server
from servicedesk.tickets.models import Ticket
from tests.servers import START_TIMEOUT
from tests.servers.certificates import Certificate, self_signed
from tests.servers.oauth import AuthorizationServer

__all__ = ["smtp_server"]

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "mail"
IMAP_USER = "desk@example.org"
IMAP_PASSWORD = "imap-test-password"
# Dovecot refuses to serve mail as root; the mail folders belong to this unprivileged user.
MAIL_OWNER = "nobody"


def eml(name: str, ticket: Ticket | None = None) -> bytes:
    """A fixture's bytes, with __NUMBER__ and __ROOT_ID__ filled in for a ticket."""
    raw = (FIXTURES / name).read_bytes()
    if ticket is not None:
        raw = raw.replace(b"__NUMBER__", ticket.number.encode())
        raw = raw.replace(b"__ROOT_ID__", thread_root_id(ticket).encode())
    return raw


def mail(
    *,
    sender: str = "employee@example.org",
    to: str = "desk@example.org",
    subject: str = "Printer on the 3rd floor jams",
    body: str = "The printer by the kitchen jams on every second page.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A plain mail as a mail client would send it; `headers` go on top (as a receiving server
    adds its Authentication-Results)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


class Receiver:
    """The desk's SMTP receiver (aiosmtpd + DeskHandler) on a free loopback port."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(self, raw: bytes, to: list[str] | None = None) -> InboundMessage:
        """Deliver over SMTP; returns the stored row (the newest, as the receiver stored it)."""
        with smtplib.SMTP("127.0.0.1", self.port) as client:
            refused = client.sendmail("sender@example.net", to or ["desk@example.org"], raw)
        assert refused == {}
        return InboundMessage.objects.order_by("-pk").first() or InboundMessage()


@pytest.fixture
def receiver(transactional_db: None) -> Iterator[Receiver]:
    # The handler stores mail from its own thread, so the rows it writes must really commit.
    port = free_port()
    controller = Controller(DeskHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield Receiver(port)
    controller.stop()


@pytest.fixture
def desk_mailbox(org: Org) -> Mailbox:
    return Mailbox.objects.create(
        name="Service desk",
        address="desk@example.org",
        agency=org.agency,
        assignment_group=org.desk_group,
    )


@pytest.fixture(scope="session")
def mail_certificate() -> Iterator[Certificate]:
    """A self-signed certificate for 127.0.0.1; clients trust it only where a test says so."""
    folder = Path(tempfile.mkdtemp(prefix="sd-mail-tls-"))
    folder.chmod(0o755)
    yield self_signed(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def trusted_certificate(mail_certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test servers' certificate is trusted, as a private CA is via OpenSSL's SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(mail_certificate.cert))
    return mail_certificate.cert


class Dovecot:
    def __init__(
        self, root: Path, port: int, tls_port: int, certificate: Certificate, introspect: str
    ) -> None:
        self.root = root
        self.port = port
        self.tls_port = tls_port
        self.certificate = certificate
        self.introspect = introspect
        self.maildir = root / "mail" / IMAP_USER
        self.process: subprocess.Popen[bytes] | None = None

    def deliver(self, raw: bytes) -> None:
        owner = pwd.getpwnam(MAIL_OWNER)
        name = f"{time.time():.6f}.{uuid.uuid4().hex}.test"
        temporary = self.maildir / "tmp" / name
        temporary.write_bytes(raw)
        os.chown(temporary, owner.pw_uid, owner.pw_gid)
        temporary.rename(self.maildir / "new" / name)  # Maildir: write in tmp/, move to new/

    def unseen_on_disk(self) -> int:
        new = len(list((self.maildir / "new").iterdir()))
        unseen_cur = [p for p in (self.maildir / "cur").iterdir() if "S" not in p.name[-4:]]
        return new + len(unseen_cur)

    def config(self) -> str:
        root = self.root
        return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.certificate.cert}
ssl_key = <{self.certificate.key}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={MAIL_OWNER} gid={pwd.getpwnam(MAIL_OWNER).pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""

    def start(self) -> None:
        owner = pwd.getpwnam(MAIL_OWNER)
        for folder in ("run", "state"):
            (self.root / folder).mkdir()
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        for path in [self.root / "mail", *(self.root / "mail").rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        (self.root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        (self.root / "oauth2.conf").write_text(
            "introspection_mode = post\n"
            f"introspection_url = {self.introspect}\n"
            "username_attribute = email\n"
            "active_attribute = active\n"
            "active_value = true\n"
        )
        (self.root / "dovecot.conf").write_text(self.config())
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited: {error}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start listening in {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def dovecot_server(
    mail_certificate: Certificate, oauth_server: AuthorizationServer
) -> Iterator[Dovecot]:
    if not (shutil.which("dovecot") or Path("/usr/sbin/dovecot").exists()):
        pytest.fail("Dovecot is missing: apt-get install dovecot-imapd (.ci/run does it).")
    if os.geteuid() != 0:
        pytest.skip("the private Dovecot needs root to hand its mail folders to 'nobody'")
    # Not pytest's tmp_path: Dovecot's unprivileged processes must be able to enter it.
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(
        root,
        free_port(),
        free_port(),
        mail_certificate,
        introspect=f"{oauth_server.base_url}/introspect",
    )
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    """The session's server with an empty inbox (starting one per test costs a second)."""
    for sub in ("new", "cur"):
        for message in (dovecot_server.maildir / sub).iterdir():
            message.unlink()
    return dovecot_server


@pytest.fixture
def imap_mailbox(desk_mailbox: Mailbox, dovecot: Dovecot) -> Mailbox:
    desk_mailbox.imap_host = "127.0.0.1"
    desk_mailbox.imap_port = dovecot.port
    desk_mailbox.imap_user = IMAP_USER
    desk_mailbox.imap_password = IMAP_PASSWORD
    desk_mailbox.imap_security = TransportSecurity.NONE
    desk_mailbox.save()
    return desk_mailbox
