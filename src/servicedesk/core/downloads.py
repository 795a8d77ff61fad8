"""Stored files as downloads, and every streamed answer sent a chunk at a time under ASGI.

`servicedesk serve` runs Django under ASGI (gunicorn with uvicorn workers), which sends a
streamed response by iterating it asynchronously. Given a synchronous iterator (a stored
attachment's `FileResponse`, WhiteNoise's static files, a CSV export) Django can only read it
whole in a thread, holding the complete file in memory, and warns each time.
`AsyncStreamingMiddleware` gives such a response an asynchronous iterator instead, which reads
the same iterator in the request's own thread (where its database connection lives) up to
`CHUNK_BYTES` at a time. Under WSGI and in the test client nothing changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)

# What one hop to the request's thread reads: a FileResponse yields 4 KiB a part, and a hop per
# part would cost more than the reading.
CHUNK_BYTES = 64 * 1024


def file_download(
    stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """A stored file (an attachment, a chat's file, a finished export) as its viewer's
    download: the caller has asked the access policy first. A file missing from the store is a
    404. The browser may not guess another type, run or load anything from it, or keep it."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as gone:
        raise Http404 from gone
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _next_chunk(parts: Iterator[bytes]) -> bytes:
    """The next parts joined, up to about CHUNK_BYTES; empty once the parts are all read."""
    taken: list[bytes] = []
    size = 0
    for part in parts:
        taken.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            break
    return b"".join(taken)


async def in_chunks(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    """`parts`, read in the request's thread a chunk at a time (`thread_sensitive`: a CSV
    export's rows come from the database connection of the thread that ran the view)."""
    read = sync_to_async(_next_chunk, thread_sensitive=True)
    iterator = iter(parts)
    while chunk := await read(iterator):
        yield chunk


def stream_asynchronously(response: HttpResponseBase) -> None:
    """Give a response streamed from a synchronous iterator an asynchronous one. What closes
    the file or the iterator when the response is closed stays as it was."""
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        parts = response.streaming_content
        assert isinstance(parts, Iterator)  # not is_async: a plain iterator
        response.streaming_content = in_chunks(parts)


class AsyncStreamingMiddleware:
    """Under ASGI, every streamed response the layers inside it return (the views' and
    WhiteNoise's static files) is sent through `stream_asynchronously`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(request, ASGIRequest):
            stream_asynchronously(response)
        return response
