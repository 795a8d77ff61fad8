"""The ASGI application `servicedesk serve` runs (gunicorn with uvicorn's worker): pages as
before, plus the chat's live streams, which wait without holding a thread (docs/chat.md)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
application = get_asgi_application()


# Connections one web process keeps for its requests, unless SERVICEDESK_DB_POOL_SIZE says
# otherwise: on PostgreSQL it also waits for one past that, on SQLite it opens one more.
POOL_SIZE = 10


def _pooled_connections() -> None:
    """Under ASGI each request runs in a context (a thread) of its own, so a connection kept
    open for reuse would never be reused, only left behind: Django's docs ask for persistent
    connections to be off in async mode and for a pool instead. Without a pool, a burst of
    requests (200 live streams reconnecting at once) opens as many PostgreSQL connections as
    requests, and on SQLite every request opens the file and runs its set-up again (some
    1.6 ms). With it, a request borrows an open connection and Django's close at the request's
    end gives it back: psycopg's pool on PostgreSQL, `core/sqlite/pool.py` on SQLite."""
    from django.conf import settings

    from servicedesk.config.settings import pooled_for_asgi

    for database in settings.DATABASES.values():
        pooled_for_asgi(database, settings.ENV.db_pool_size or POOL_SIZE)


_pooled_connections()


# The garbage collector leaves what is loaded by now alone from here on: a full collection then
# walks what requests create, not the app's own 150,000 objects, which took about 50 ms each
# time (once in every sixty or so agent's ticket pages; measured on the benchmark machine).
gc.freeze()
