from django.urls import path

from servicedesk.reports import (
    export_views,
    forecast_views,
    shift_views,
    subscription_views,
    views,
)

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("forecast/", forecast_views.forecast, name="forecast"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/export.<str:fmt>", views.tickets_export, name="tickets_export"),
    path("exports/<uuid:key>/", export_views.export_job, name="export_job"),
    path("exports/<uuid:key>/download/", export_views.export_download, name="export_download"),
    path("shift/", shift_views.shift_list, name="shift_list"),
    path("shift/<int:pk>/preview/", shift_views.shift_preview, name="shift_preview"),
    path("shift/<int:pk>/note/", shift_views.shift_note, name="shift_note"),
    path("shift/<int:pk>/send/", shift_views.shift_send, name="shift_send"),
    path("shift/sent/<uuid:key>/", shift_views.shift_sent, name="shift_sent"),
    path("subscriptions/", subscription_views.subscriptions, name="subscriptions"),
    path(
        "subscriptions/<uuid:key>/cancel/",
        subscription_views.subscription_cancel_view,
        name="subscription_cancel",
    ),
]
