"""The web server the benchmarks time: the app as `servicedesk serve` runs it, on a free
loopback port, for the length of a `with` block."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bench import PROJECT_ROOT

WEB_WORKERS = 2
STARTUP_TIMEOUT = 90  # a shared, busy machine boots gunicorn slowly


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# A benchmark is one client at full speed: limits stay on (their cost is measured) but high.
BENCH_LIMITS = {
    "SERVICEDESK_LIMIT_API_TOKEN": "100000000/60",
    "SERVICEDESK_LIMIT_API_ADDRESS": "100000000/60",
    "SERVICEDESK_LIMIT_PORTAL_FILING": "100000000/60",
}


@contextmanager
def gunicorn(
    database_url: str, workers: int = WEB_WORKERS, log_name: str = "bench-gunicorn.log"
) -> Iterator[str]:
    """Serve the app on 127.0.0.1 as `servicedesk serve` does (gunicorn with uvicorn's ASGI
    worker, the same gunicorn settings), until the block ends, even when it ends in an error;
    its output goes to `var/<log_name>`."""
    from servicedesk.core.management.commands.serve import web_server_command

    port = free_loopback_port()
    log_path = PROJECT_ROOT / "var" / log_name
    log_path.parent.mkdir(exist_ok=True)
    command = web_server_command(host="127.0.0.1", port=port, workers=workers)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url,
                # The app with the bare endpoints (bench/bare.py) the figures are compared with.
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                **BENCH_LIMITS,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base, server, log_name)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_serving(base: str, server: subprocess.Popen[bytes], log_name: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see var/{log_name}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT} s")
