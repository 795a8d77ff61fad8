"""A real OpenLDAP directory (Debian's slapd) on a free loopback port, for the sign-in tests.

The organisation's people and groups are in `people.ldif`; every password there is
`DIRECTORY_PASSWORD`. Started once per test session, stopped at its end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ldap
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

from tests.servers import START_TIMEOUT

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
BASE_DN = "dc=state,dc=example"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "directory-admin-secret"
DIRECTORY_PASSWORD = "directory-pass-1"
HERE = Path(__file__).parent

CONFIG = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{admin}"
rootpw {password}
directory {root}/data
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
"""


@dataclass(frozen=True)
class Directory:
    uri: str

    def settings(self) -> dict[str, Any]:
        """What docs/sign-in.md's LDAP variables become in settings, for this directory."""
        return {
            "AUTH_LDAP_SERVER_URI": self.uri,
            "AUTH_LDAP_BIND_DN": ADMIN_DN,
            "AUTH_LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
            "AUTH_LDAP_USER_SEARCH": LDAPSearch(
                f"ou=people,{BASE_DN}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)"
            ),
            "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(f"ou=groups,{BASE_DN}", ldap.SCOPE_SUBTREE),
            "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(),
            "AUTH_LDAP_USER_ATTR_MAP": {
                "first_name": "givenName",
                "last_name": "sn",
                "email": "mail",
            },
            "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
            "AUTH_LDAP_CACHE_TIMEOUT": 0,
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd stopped at once (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"slapd did not listen within {START_TIMEOUT} s")


def run_directory() -> Iterator[Directory]:
    if not Path(SLAPD).exists():
        raise RuntimeError("slapd is missing: bash .ci/install-system installs it")
    root = Path(tempfile.mkdtemp(prefix="servicedesk-slapd-"))
    try:
        (root / "data").mkdir()
        config = root / "slapd.conf"
        config.write_text(
            CONFIG.format(root=root, base=BASE_DN, admin=ADMIN_DN, password=ADMIN_PASSWORD)
        )
        people = (HERE / "people.ldif").read_text().replace("{password}", DIRECTORY_PASSWORD)
        (root / "people.ldif").write_text(people)
        subprocess.run(
            [SLAPADD, "-f", str(config), "-l", str(root / "people.ldif")],
            check=True,
            capture_output=True,
        )
        # The port is picked just before slapd binds it; a clash fails loudly, not silently.
        port = _free_port()
        uri = f"ldap://127.0.0.1:{port}"
        process = subprocess.Popen(
            [SLAPD, "-f", str(config), "-h", uri, "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port, process)
            yield Directory(uri=uri)
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(root, ignore_errors=True)
