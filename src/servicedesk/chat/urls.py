from django.urls import path

from servicedesk.chat import views

app_name = "chat"
urlpatterns = [
    path("<int:pk>/stream/", views.stream, name="stream"),
    path("<int:pk>/messages/", views.message, name="message"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("files/<int:pk>/", views.file, name="file"),
    path("desk/stream/", views.desk_stream, name="desk_stream"),
]
