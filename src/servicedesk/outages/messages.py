"""The words of a major incident's messages, rendered from templates (translatable, editable
as files): mail to the incident team, updates, corrections and the one resolution message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def render_message(name: str, context: dict[str, Any]) -> Message:
    """`outages/mail/<name>_subject.txt` and `<name>.txt`; the subject is made one line."""
    subject = render_to_string(f"outages/mail/{name}_subject.txt", context)
    text = render_to_string(f"outages/mail/{name}.txt", context).strip()
    return Message(" ".join(subject.split()), text)
