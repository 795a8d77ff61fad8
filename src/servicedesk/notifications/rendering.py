"""Mail text from the admin-editable templates, in the recipient's time zone.

The text part renders without autoescaping (it is plain text); the HTML part renders the same
template with autoescaping, keeps its line breaks, and is sanitised by nh3, because the template
itself is written by an admin and must not smuggle script into people's mail readers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.html import linebreaks

from servicedesk.directory.models import Person
from servicedesk.notifications.choices import NotificationKind
from servicedesk.notifications.defaults import DEFAULT_TEMPLATES, DefaultTemplate
from servicedesk.notifications.message_ids import REPLY_MARKER, subject_tag
from servicedesk.notifications.models import MailTemplate
from servicedesk.tickets.models import Ticket

logger = logging.getLogger(__name__)
SUBJECT_MAX = 300


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def zone_of(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def template_for(kind: str) -> DefaultTemplate:
    """The admin's version of this kind's template, else ours; unknown kinds use `general`."""
    if kind not in NotificationKind.values:
        kind = NotificationKind.GENERAL
    row = MailTemplate.objects.filter(kind=kind).first()
    if row is not None:
        return DefaultTemplate(row.subject_template, row.text_template)
    return DEFAULT_TEMPLATES[kind]


@lru_cache(maxsize=128)
def _compiled(source: str) -> Template:
    # Keyed by the source text itself, so an admin's edit is a new key, never a stale hit.
    return Template(source)


def _render(source: str, context: Mapping[str, object], *, autoescape: bool) -> str:
    return _compiled(source).render(Context(dict(context), autoescape=autoescape))


def render_mail(
    kind: str, context: Mapping[str, object], recipient: Person, ticket: Ticket | None
) -> RenderedMail:
    template = template_for(kind)
    try:
        return _render_with(template, context, recipient, ticket)
    except TemplateSyntaxError:
        # An admin's broken edit must not stop the ticket change that triggered the mail.
        logger.exception("Mail template %s does not compile; using the shipped one", kind)
        fallback = DEFAULT_TEMPLATES.get(kind, DEFAULT_TEMPLATES[NotificationKind.GENERAL])
        return _render_with(fallback, context, recipient, ticket)


def _render_with(
    template: DefaultTemplate,
    context: Mapping[str, object],
    recipient: Person,
    ticket: Ticket | None,
) -> RenderedMail:
    full = {"recipient": recipient, "ticket": ticket, **context}
    with timezone.override(zone_of(recipient)):
        subject = _render(template.subject, full, autoescape=False)
        text = _render(template.text, full, autoescape=False).strip()
        escaped = _render(template.text, full, autoescape=True).strip()
    # One line: a newline in a subject would be a header injection.
    subject = " ".join(subject.split())
    if ticket is not None:
        tag = subject_tag(ticket)
        if tag not in subject:
            subject = f"{tag} {subject}"
        text = f"{REPLY_MARKER}\n\n{text}"
        escaped = f"{REPLY_MARKER}\n\n{escaped}"
    html = nh3.clean(linebreaks(escaped, autoescape=False), link_rel="noopener noreferrer")
    return RenderedMail(subject=subject[:SUBJECT_MAX], text=text, html=html)
