"""The chat's own endpoints, shared by the portal and the workspace: the live streams, sending a
line or a file, reading a file, and the employee leaving. Thin: services and selectors decide."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_POST

from servicedesk.chat.errors import ChatError, ChatErrorCode
from servicedesk.chat.models import ChatEvent, ChatSession
from servicedesk.chat.selectors import chat_for
from servicedesk.chat.services import chat_leave, chat_post
from servicedesk.chat.stream import chat_events, desk_events, event_stream, resume_point
from servicedesk.core.downloads import file_download
from servicedesk.directory.models import Person
from servicedesk.tickets.access import visible_chats


def _person(request: HttpRequest) -> Person:
    user = request.user
    if not isinstance(user, Person) or not user.is_active:
        raise Http404
    return user


def _chat(request: HttpRequest, pk: int) -> ChatSession:
    try:
        return chat_for(_person(request), pk)
    except ChatSession.DoesNotExist as missing:
        raise Http404 from missing


async def stream(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    user = await request.auser()
    if not isinstance(user, Person) or not user.is_active:
        raise Http404
    try:
        chat = await sync_to_async(chat_for)(user, pk)
    except ChatSession.DoesNotExist as missing:
        raise Http404 from missing
    await _let_go_of_the_database()
    return event_stream(chat_events(chat.pk, resume_point(request)))


async def desk_stream(request: HttpRequest) -> StreamingHttpResponse:
    user = await request.auser()
    if not isinstance(user, Person) or not user.is_active or not user.is_staff_member:
        raise Http404
    await _let_go_of_the_database()
    return event_stream(desk_events(user))


async def _let_go_of_the_database() -> None:
    """The request's connection (sign-in, access check) would otherwise stay open as long as
    the stream does: minutes, times every open stream. The stream's reads open their own."""
    await sync_to_async(_close_idle_connections)()


def _close_idle_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # a test's transaction, say, is not ours to end
            connection.close()


def _error(error: ChatError) -> JsonResponse:
    status = 429 if error.code == ChatErrorCode.RATE_LIMITED else 400
    return JsonResponse(error.as_dict(), status=status)


@login_required
@require_POST
def message(request: HttpRequest, pk: int) -> JsonResponse:
    chat = _chat(request, pk)
    upload = request.FILES.get("file")
    try:
        event = chat_post(
            chat, author=_person(request), body=request.POST.get("body", ""), upload=upload
        )
    except ChatError as refused:
        return _error(refused)
    return JsonResponse({"id": event.pk}, status=201)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    chat_leave(_chat(request, pk), requester=_person(request))
    return HttpResponse(status=204)


@login_required
def file(request: HttpRequest, pk: int) -> FileResponse:
    chats = visible_chats(_person(request))
    event = ChatEvent.objects.filter(pk=pk, session__in=chats).exclude(file="").first()
    if event is None:
        raise Http404
    return file_download(
        event.file, filename=event.file_name, content_type="application/octet-stream"
    )
