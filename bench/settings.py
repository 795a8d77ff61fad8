"""The app's settings, serving `bench.urls`: only the benchmark's gunicorn uses this module."""

from servicedesk.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
