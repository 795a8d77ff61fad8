"""Downloads under ASGI, as `servicedesk serve` answers them: the file whole, with its headers,
read a chunk at a time rather than whole into memory (Django warns when it must do that, and
the test settings make that warning an error)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import AsyncClient, Client

from servicedesk.api.services import token_create
from servicedesk.conftest import Org
from servicedesk.core.downloads import CHUNK_BYTES
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Attachment, Ticket
from servicedesk.tickets.services import attachment_add, ticket_create

# Large enough for several chunks, and not a whole number of them.
FILE = bytes(range(256)) * (CHUNK_BYTES * 3 // 256 + 7)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def log(org: Org) -> Attachment:
    ticket: Ticket = ticket_create(
        actor=org.employee, kind=TicketKind.INCIDENT, short_description="VPN drops"
    )
    return attachment_add(
        ticket, actor=org.employee, upload=SimpleUploadedFile("vpn.log", FILE, "text/plain")
    )


def download(client: AsyncClient, path: str, **headers: str) -> tuple[Any, list[bytes]]:
    """The response and the chunks the ASGI server would send, read as it reads them
    (`aiter(response)`), with no warning raised on the way."""

    async def fetch() -> tuple[Any, list[bytes]]:
        response = await client.get(path, headers=headers)
        assert isinstance(response, StreamingHttpResponse)
        return response, [chunk async for chunk in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return async_to_sync(fetch)()


def test_an_attachment_downloads_a_chunk_at_a_time(org: Org, log: Attachment) -> None:
    client = AsyncClient()
    client.force_login(org.employee)
    response, chunks = download(client, f"/portal/attachments/{log.pk}/")
    assert response.status_code == 200
    assert b"".join(chunks) == FILE
    assert len(chunks) == math.ceil(len(FILE) / CHUNK_BYTES)
    assert response["Content-Length"] == str(len(FILE))
    assert response["Content-Disposition"] == 'attachment; filename="vpn.log"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_the_api_download_too(org: Org, log: Attachment) -> None:
    _, token = token_create(org.employee, "laptop")
    response, chunks = download(
        AsyncClient(),
        f"/api/v1/tickets/{log.ticket.number}/attachments/{log.pk}",
        Authorization=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert b"".join(chunks) == FILE
    assert response["Content-Disposition"] == 'attachment; filename="vpn.log"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_gone_from_the_store_is_not_found(org: Org, log: Attachment) -> None:
    Path(log.file.path).unlink()
    client = Client()
    client.force_login(org.employee)
    assert client.get(f"/portal/attachments/{log.pk}/").status_code == 404
    # The API says so in its own error shape, where it answered 500 before.
    _, token = token_create(org.employee, "laptop")
    missing = client.get(
        f"/api/v1/tickets/{log.ticket.number}/attachments/{log.pk}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_static_files_too(db: None) -> None:
    response, chunks = download(AsyncClient(), "/favicon.ico")
    assert response.status_code == 200
    assert (
        b"".join(chunks)
        == (Path(__file__).resolve().parents[1] / "root" / "favicon.ico").read_bytes()
    )


def test_a_csv_export_streams_its_rows_from_the_database(org: Org, log: Attachment) -> None:
    client = AsyncClient()
    client.force_login(org.desk)
    response, chunks = download(client, "/workspace/queues/all-open/export.csv")
    assert response.status_code == 200
    assert log.ticket.number in b"".join(chunks).decode()
