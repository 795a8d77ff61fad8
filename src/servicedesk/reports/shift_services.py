"""Writes of the shift reports: the note from application support, sending (now or on time).

Sending is one transaction: the report is built and rendered, recorded as sent (with its
recipients) and queued in the notifications outbox, which delivers it after commit. The
schedule's row is locked first, so two schedulers never send the same report twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from servicedesk.directory.models import DistributionList, Person
from servicedesk.notifications.services import mail_prepared
from servicedesk.reports.errors import ReportError, ReportErrorCode
from servicedesk.reports.models import ShiftReportSchedule, ShiftReportSend
from servicedesk.reports.shift import ShiftReport, shift_report_build
from servicedesk.sla.calendars import engine_calendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedReport:
    subject: str
    text: str
    html: str


def web_version_url(key: uuid.UUID) -> str:
    return f"{settings.SERVICEDESK_BASE_URL}{reverse('reports:shift_sent', args=[key])}"


def shift_report_render(report: ShiftReport, web_url: str) -> RenderedReport:
    """Subject, text and HTML, with times in the schedule's calendar zone."""
    context = {"report": report, "web_url": web_url}
    with timezone.override(report.zone):
        subject = render_to_string("reports/mail/shift_report_subject.txt", context)
        text = render_to_string("reports/mail/shift_report.txt", context)
        html = render_to_string("reports/mail/shift_report.html", context)
    return RenderedReport(" ".join(subject.split()), text.strip() + "\n", html)


def list_recipients(mailing: DistributionList) -> list[tuple[str, Person | None]]:
    """Active members with an address, then the outside addresses."""
    people = [
        (person.email, person)
        for person in mailing.members.filter(is_active=True).exclude(email="")
    ]
    return people + [(address, None) for address in mailing.outside_address_list()]


def _require_lead(actor: Person, what: str) -> None:
    if not actor.is_lead:
        raise ReportError(ReportErrorCode.NOT_PERMITTED, f"Only a lead or a manager can {what}.")


@transaction.atomic
def shift_report_note_save(
    schedule: ShiftReportSchedule, *, actor: Person, note: str
) -> ShiftReportSchedule:
    """Application support's information for the next report (replaces the one waiting)."""
    _require_lead(actor, "write the note of a shift report")
    current = ShiftReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    current.note = note.strip()
    current.note_by = actor
    current.note_at = timezone.now()
    current.save(update_fields=["note", "note_by", "note_at"])
    return current


def _send_locked(
    schedule: ShiftReportSchedule, actor: Person | None, now: datetime
) -> ShiftReportSend:
    recipients = list_recipients(schedule.distribution_list)
    if not recipients:
        raise ReportError(
            ReportErrorCode.NO_RECIPIENTS,
            f"The list {schedule.distribution_list} has nobody with an e-mail address.",
        )
    report = shift_report_build(schedule, now)
    key = uuid.uuid4()
    rendered = shift_report_render(report, web_version_url(key))
    sent = ShiftReportSend.objects.create(
        key=key,
        schedule=schedule,
        period_start=report.period_start,
        period_end=report.period_end,
        sent_at=now,
        sent_by=actor,
        recipients=[address for address, _ in recipients],
        subject=rendered.subject[:300],
        body_text=rendered.text,
        body_html=rendered.html,
    )
    mail_prepared(
        recipients,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        event="shift_report",
        event_key=f"shift-report:{key}",
    )
    schedule.last_sent_at = now
    schedule.note = ""
    schedule.note_by = None
    schedule.note_at = None
    schedule.save(update_fields=["last_sent_at", "note", "note_by", "note_at"])
    return sent


@transaction.atomic
def shift_report_send_now(
    schedule: ShiftReportSchedule, *, actor: Person, now: datetime | None = None
) -> ShiftReportSend:
    """A lead's "send now": the report as it stands, to the whole list, at once."""
    _require_lead(actor, "send a shift report")
    current = ShiftReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    return _send_locked(current, actor, now or timezone.now())


def due_moment(schedule: ShiftReportSchedule, now: datetime) -> datetime | None:
    """Today's sending time, when today is a business day of the schedule's calendar."""
    local = now.astimezone(ZoneInfo(schedule.calendar.time_zone))
    if not engine_calendar(schedule.calendar).is_business_day(local.date()):
        return None
    return datetime.combine(local.date(), schedule.send_at, tzinfo=local.tzinfo)


def is_due(schedule: ShiftReportSchedule, now: datetime) -> bool:
    moment = due_moment(schedule, now)
    if moment is None or now < moment:
        return False
    return schedule.last_sent_at is None or schedule.last_sent_at < moment


def shift_reports_send_due(now: datetime | None = None) -> list[ShiftReportSend]:
    """Send every active schedule whose time has come today; each in its own transaction."""
    now = now or timezone.now()
    sent: list[ShiftReportSend] = []
    for schedule in ShiftReportSchedule.objects.filter(is_active=True).select_related("calendar"):
        if not is_due(schedule, now):
            continue
        try:
            with transaction.atomic():
                current = (
                    ShiftReportSchedule.objects.select_for_update()
                    .select_related("calendar", "distribution_list", "viewer")
                    .get(pk=schedule.pk)
                )
                # Re-checked under the lock: another scheduler may have sent it meanwhile.
                if is_due(current, now):
                    sent.append(_send_locked(current, None, now))
        except ReportError as refused:
            logger.warning("Shift report %s not sent: %s", schedule, refused.message)
    return sent
