"""A real OpenID Connect provider (npm's certified `oidc-provider`, run by node) on a free
loopback port, for the sign-in tests. Its people and their groups are in `oidc/people.json`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tests.servers import START_TIMEOUT

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "servicedesk"
CLIENT_SECRET = "servicedesk-test-client-secret"
PEOPLE: dict[str, dict[str, Any]] = json.loads((HERE / "people.json").read_text())


@dataclass(frozen=True)
class OpenIdProvider:
    issuer: str
    client_id: str = CLIENT_ID
    secret: str = CLIENT_SECRET


def _install() -> None:
    """`npm ci` from the lockfile when `make test` has not done it yet."""
    if (HERE / "node_modules" / "oidc-provider").exists():
        return
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("npm is missing: bash .ci/install-system installs node and npm")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        capture_output=True,
    )


def run_provider(redirect_uris: list[str]) -> Iterator[OpenIdProvider]:
    _install()
    node = shutil.which("node")
    if not node:
        raise RuntimeError("node is missing: bash .ci/install-system installs it")
    environment = {
        **os.environ,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(redirect_uris),
    }
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [node, str(HERE / "provider.mjs")],
            cwd=HERE,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            yield _announced(process, errors)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _announced(process: subprocess.Popen[str], errors: IO[str]) -> OpenIdProvider:
    """The provider once it has printed where it listens; its first line says so, and a provider
    that dies says nothing."""
    assert process.stdout is not None
    stdout = process.stdout
    ready: dict[str, str] = {}
    reader = threading.Thread(
        target=lambda: ready.update(json.loads(stdout.readline() or "{}")), daemon=True
    )
    reader.start()
    reader.join(timeout=START_TIMEOUT)
    if "issuer" not in ready:
        errors.seek(0)
        raise RuntimeError(
            f"the OpenID provider did not start within {START_TIMEOUT} s "
            f"(exit code {process.poll()}); node said: {errors.read()[-2000:]}"
        )
    return OpenIdProvider(issuer=ready["issuer"])
