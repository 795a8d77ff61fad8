"""A PostgreSQL cluster the fault and multi-host tests own: created and migrated once per run,
copied into a fresh database for each test (`createdb --template`, about a second)."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from servicedesk.core.tests.fleet import (
    FLEET_SECRETS_KEY,
    SERVICEDESK,
    Cluster,
    why_not_runnable,
)

_copies = itertools.count(1)


class MigratedCluster:
    def __init__(self, cluster: Cluster, template: str) -> None:
        self.cluster = cluster
        self.template = template

    def fresh_database(self) -> str:
        """A new database copied from the migrated one; returns its URL."""
        name = f"desk_{next(_copies)}"
        self.cluster.psql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.cluster.url_of(name)


@pytest.fixture(scope="session")
def owned_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedCluster]:
    if connection.vendor != "postgresql":
        pytest.skip("runs on the PostgreSQL pass: it starts PostgreSQL clusters of its own")
    if reason := why_not_runnable():
        pytest.skip(reason)
    cluster = Cluster()
    try:
        cluster.start()
        cluster.psql('CREATE DATABASE "servicedesk"')
        data = tmp_path_factory.mktemp("migrate")
        env = {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": cluster.url_of("servicedesk"),
            "SERVICEDESK_DATA_DIR": str(data),
            "SECRET_KEY": "x" * 50,
            "SERVICEDESK_SECRETS_KEYS": FLEET_SECRETS_KEY,
            "SERVICEDESK_LOG_LEVEL": "WARNING",
        }
        done = subprocess.run(
            [SERVICEDESK, "migrate", "--noinput"], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield MigratedCluster(cluster, "servicedesk")
    finally:
        cluster.remove()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder
