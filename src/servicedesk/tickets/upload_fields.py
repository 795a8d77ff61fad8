"""The form field for files attached to a ticket, shared by the portal and the workspace, so both
faces check uploads against the same attachment policy and say the same thing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from servicedesk.tickets.attachments_policy import display_name, upload_refusal_from_settings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each checked against the attachment policy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        refusals = [
            refusal
            for upload in files
            if (refusal := upload_refusal_from_settings(display_name(upload.name), upload.size))
        ]
        if refusals:
            refusals.append("Nothing was attached; choose the files you want to keep again.")
            raise forms.ValidationError(refusals)
        return files
