"""The web process as `servicedesk serve` loads it."""

import subprocess
import sys

import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from django.test import AsyncClient

from servicedesk.conftest import Org


def test_what_the_app_loads_is_left_out_of_the_garbage_collectors_walks() -> None:
    # A process of its own: loading the app changes the database settings of the one loading it.
    loaded = subprocess.run(
        [sys.executable, "-c", "import gc, servicedesk.config.asgi; print(gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(loaded.stdout.split()[-1]) > 10_000


def test_a_page_served_under_asgi_runs_its_middleware_in_the_views_thread(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every middleware runs in the view's thread (`core.middleware.SynchronousChainMiddleware`):
    no middleware's hook before or after the view crosses into it on its own. What still
    crosses: Django's request signals, the chain, the hooks Django itself runs beside the view
    (`process_view`), the view and the response's closing. Each crossing costs 0.35 ms of CPU."""
    crossings: list[str] = []
    cross = SyncToAsync.__call__

    async def counted(self: SyncToAsync[..., object], *args: object, **kwargs: object) -> object:
        crossings.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await cross(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    client = AsyncClient()
    client.force_login(org.desk)
    crossings.clear()
    response = async_to_sync(client.get)("/workspace/queues/all-open/")
    assert response.status_code == 200
    hooks = [name for name in crossings if name.endswith(("process_request", "process_response"))]
    assert hooks == []
    assert len(crossings) <= 6, crossings
