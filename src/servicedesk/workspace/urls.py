from django.urls import path

from servicedesk.workspace.views import bulk, call, queues, ticket

app_name = "workspace"
urlpatterns = [
    path("", queues.home, name="home"),
    path("queues/<slug:name>/", queues.queue, name="queue"),
    path("counts/", queues.nav_counts, name="nav_counts"),
    path("next/", queues.next_ticket, name="next"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("call/", call.log_call, name="call"),
    path("call/callers/", call.callers, name="callers"),
    path("tickets/<str:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<str:number>/preview/", ticket.triage_preview, name="triage_preview"),
    path("tickets/<str:number>/presence/", ticket.presence, name="presence"),
    path("tickets/<str:number>/<slug:action>/", ticket.ticket_action, name="ticket_action"),
]
