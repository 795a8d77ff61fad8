from django.contrib import admin
from django.urls import include, path

from servicedesk.api.v1 import api
from servicedesk.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    # Sign-in, sign-out, password reset, two-factor and OpenID sign-in: docs/sign-in.md.
    # The directory owns addresses and directory people's passwords: these allauth pages are off.
    path("accounts/email/", core_views.not_found),
    path("accounts/password/set/", core_views.not_found),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("servicedesk.portal.urls")),
    path("workspace/reports/", include("servicedesk.reports.urls")),
    path("workspace/mail/", include("servicedesk.mail.urls")),
    path("workspace/", include("servicedesk.workspace.urls")),
    path("notifications/", include("servicedesk.notifications.urls")),
    path("chat/", include("servicedesk.chat.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "servicedesk.core.views.not_found"
handler500 = "servicedesk.core.views.server_error"
handler429 = "servicedesk.core.views.too_many_requests"
