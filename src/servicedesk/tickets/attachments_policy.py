"""Which uploads a ticket accepts and how stored files may be shown again.

Pure functions: forms, services and the download view ask the same questions here, so the portal's
message and the service's refusal can never disagree. Settings are read only by
`upload_refusal_from_settings`, which every caller outside tests should use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings

# Images a browser may show inline: none of these formats can carry script (SVG can, so it is
# not here). Everything else is served as a download.
INLINE_SAFE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DOWNLOAD_CONTENT_TYPE = "application/octet-stream"


def display_name(raw_name: str | None) -> str:
    """The last part of an uploaded name, as the uploader called it (never used as a path)."""
    name = (raw_name or "attachment").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "attachment")[:255]


def upload_refusal(
    name: str, size: int, *, max_bytes: int, forbidden_extensions: Iterable[str]
) -> str | None:
    """Why this file may not be attached, in a sentence for the uploader; None if it may."""
    shown = display_name(name)
    # Windows drops trailing dots and spaces when saving, so "setup.exe. " lands as setup.exe.
    suffix = PurePosixPath(shown.lower().rstrip(". ")).suffix
    forbidden = {extension.lower() for extension in forbidden_extensions}
    if suffix in forbidden:
        listed = " ".join(sorted(forbidden))
        return (
            f"{shown} was not attached: {suffix} files can run programs and are not "
            f"accepted (refused types: {listed})."
        )
    if size > max_bytes:
        return (
            f"{shown} was not attached: it is {size / 1_048_576:.1f} MB and files may be at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    return None


def upload_refusal_from_settings(name: str, size: int) -> str | None:
    return upload_refusal(
        name,
        size,
        max_bytes=settings.SERVICEDESK_ATTACHMENT_MAX_BYTES,
        forbidden_extensions=settings.SERVICEDESK_ATTACHMENT_FORBIDDEN_EXTENSIONS,
    )


def served_content_type(stored_content_type: str) -> tuple[str, bool]:
    """(Content-Type, inline?) for a stored file: only safe images are shown in the browser."""
    if stored_content_type in INLINE_SAFE_CONTENT_TYPES:
        return stored_content_type, True
    return DOWNLOAD_CONTENT_TYPE, False
