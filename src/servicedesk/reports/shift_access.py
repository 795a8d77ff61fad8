"""Who may read a shift report: it shows the tickets its schedule's viewer sees, so only that
viewer, people who see every ticket (by `tickets.access`), and its staff recipients read it."""

from __future__ import annotations

from servicedesk.directory.models import Person
from servicedesk.reports.models import ShiftReportSchedule, ShiftReportSend
from servicedesk.tickets.access import ticket_scope


def may_read_schedule(person: Person, schedule: ShiftReportSchedule) -> bool:
    if not person.is_active or not person.is_staff_member:
        return False
    return person.pk == schedule.viewer_id or ticket_scope(person).everything


def may_read_send(person: Person, send: ShiftReportSend) -> bool:
    if may_read_schedule(person, send.schedule):
        return True
    address = person.email.strip().lower()
    recipients = {str(entry).strip().lower() for entry in send.recipients}
    return person.is_active and person.is_staff_member and bool(address) and address in recipients
