from django.urls import path

from servicedesk.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.mail_desk, name="desk"),
    path("held/<int:pk>/release/", views.held_release, name="held_release"),
    path("held/<int:pk>/discard/", views.held_discard, name="held_discard"),
    path("undeliverable/<int:pk>/clear/", views.undeliverable_clear, name="undeliverable_clear"),
]
