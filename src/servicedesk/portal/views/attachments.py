"""Files are served only here, after the same scoping as the ticket they belong to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from servicedesk.core.downloads import file_download
from servicedesk.portal.views.common import signed_in_person
from servicedesk.tickets.attachments_policy import served_content_type
from servicedesk.tickets.models import Attachment
from servicedesk.tickets.ticket_page import attachment_get


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        attachment = attachment_get(signed_in_person(request), pk)
    except Attachment.DoesNotExist as missing:
        raise Http404 from missing
    # The type is the server's: the stored guess for safe images, a plain download otherwise.
    content_type, inline = served_content_type(attachment.content_type)
    return file_download(
        attachment.file,
        filename=attachment.original_name,
        content_type=content_type,
        as_attachment=not inline,
    )
