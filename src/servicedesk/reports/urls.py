from django.urls import path

from servicedesk.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tickets/", views.tickets, name="tickets"),
]
