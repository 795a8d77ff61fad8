"""The ASGI application `servicedesk serve` runs (gunicorn with uvicorn's worker): pages as
before, plus the chat's live streams, which wait without holding a thread (docs/chat.md)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
application = get_asgi_application()


# Connections one web process shares among its requests on PostgreSQL (and waits for, past
# that), unless SERVICEDESK_DB_POOL_SIZE says otherwise.
POOL_SIZE = 10


def _pooled_connections() -> None:
    """Under ASGI each request runs in a context of its own, so a connection kept open for
    reuse would never be reused, only left behind: Django's docs ask for persistent connections
    to be off in async mode and for the driver's pool instead. Without a pool, a burst of
    requests (200 live streams reconnecting at once) opens as many connections as requests."""
    from django.conf import settings

    from servicedesk.config.settings import pool_options

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
        if database["ENGINE"] == "django.db.backends.postgresql":
            database.setdefault("OPTIONS", {}).setdefault("pool", pool_options(POOL_SIZE))


_pooled_connections()


# The garbage collector leaves what is loaded by now alone from here on: a full collection then
# walks what requests create, not the app's own 150,000 objects, which took about 50 ms each
# time (once in every sixty or so agent's ticket pages; measured on the benchmark machine).
gc.freeze()
