"""The app's URLs with the benchmark's bare endpoints (`bench.bare`) in front."""

from bench.bare import urlpatterns as bare_urlpatterns
from servicedesk.config.urls import *  # noqa: F403 (handler404 and friends)
from servicedesk.config.urls import urlpatterns as app_urlpatterns

urlpatterns = [*bare_urlpatterns, *app_urlpatterns]
