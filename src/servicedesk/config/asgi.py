"""The ASGI application `servicedesk serve` runs (gunicorn with uvicorn's worker): pages as
before, plus the chat's live streams, which wait without holding a thread (docs/chat.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
application = get_asgi_application()


def _no_persistent_connections() -> None:
    """Under ASGI each request runs in a context of its own, so a connection kept open for
    reuse would never be reused, only left behind: Django's docs ask for persistent
    connections to be off in async mode."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0


_no_persistent_connections()
