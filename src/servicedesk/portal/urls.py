from django.urls import path

from servicedesk.portal.views import (
    attachments,
    chat,
    deflection,
    filing,
    home,
    knowledge,
    status,
    ticket,
)

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("request/", filing.catalog, name="catalog"),
    path("request/<slug:slug>/", filing.request_of_type, name="request_type"),
    path("new/<slug:kind_slug>/", filing.ticket_new, name="new"),
    path("drafts/<int:pk>/", filing.draft_edit, name="draft"),
    path("drafts/<int:pk>/delete/", filing.draft_remove, name="draft_delete"),
    path("people/", filing.people_lookup, name="people"),
    path("suggestions/", deflection.suggestions, name="suggestions"),
    path("status/", status.status_page, name="status"),
    path("tickets/<str:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<str:number>/filed/", filing.filed, name="filed"),
    path("tickets/<str:number>/live/", ticket.ticket_live, name="ticket_live"),
    path("tickets/<str:number>/reply/", ticket.reply, name="reply"),
    path("tickets/<str:number>/confirm/", ticket.confirm, name="confirm"),
    path("tickets/<str:number>/dispute/", ticket.dispute, name="dispute"),
    path("tickets/<str:number>/survey/", ticket.survey, name="survey"),
    path("tickets/<str:number>/join/", deflection.join, name="join"),
    path("tickets/<str:number>/comments/<int:pk>/", ticket.comment_link, name="comment"),
    path("attachments/<int:pk>/", attachments.download, name="attachment"),
    path("chat/", chat.chat_start_page, name="chat_start"),
    path("chat/<int:pk>/", chat.chat_page, name="chat"),
    path("chat/<int:pk>/end/", chat.chat_end_view, name="chat_end"),
    path("kb/", knowledge.kb_home, name="kb"),
    path("kb/<int:pk>/", knowledge.kb_article, name="kb_article"),
    path("kb/<int:pk>/feedback/", knowledge.kb_feedback, name="kb_feedback"),
]
