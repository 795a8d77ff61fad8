"""IMAP polling: fetch UNSEEN, store each message and commit, and only then flag it \\Seen.

If the worker dies anywhere in a batch, every message is either stored (and will be processed
by the next run's `process_pending`) or still unseen on the server (and will be fetched again;
storing is idempotent). Nothing is lost and nothing is filed twice.
"""

from __future__ import annotations

import imaplib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from servicedesk.mail.choices import InboundState
from servicedesk.mail.ingest import process_message, process_pending, store_message
from servicedesk.mail.models import InboundMessage, Mailbox
from servicedesk.mail.oauth import OAuthError
from servicedesk.mail.transport import imap_open

logger = logging.getLogger(__name__)


@dataclass
class FetchReport:
    fetched: int = 0
    new: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, row: InboundMessage) -> None:
        self.outcomes[row.state] = self.outcomes.get(row.state, 0) + 1


def _check(response: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what} failed: {data!r}")
    return data


def _message_bytes(data: Sequence[object]) -> bytes:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    raise imaplib.IMAP4.error("FETCH returned no message body")


def fetch_mailbox(mailbox: Mailbox) -> FetchReport:
    report = FetchReport()
    client = imap_open(mailbox)
    try:
        _check(client.select(mailbox.imap_folder), f"SELECT {mailbox.imap_folder}")
        found = _check(client.uid("SEARCH", "UNSEEN"), "SEARCH UNSEEN")
        uids = found[0].decode().split() if found and isinstance(found[0], bytes) else []
        for uid in uids:
            # PEEK: reading must not mark it seen; only our commit may.
            raw = _message_bytes(_check(client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH"))
            with transaction.atomic():
                row, created = store_message(mailbox, raw)
            _check(client.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE \\Seen")
            report.fetched += 1
            report.new += int(created)
            if row.state == InboundState.RECEIVED:
                row = process_message(row)
            report.count(row)
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout from %s failed", mailbox.imap_host)
    for row in process_pending(mailbox):
        report.count(row)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=timezone.now(), last_error="")
    return report


def fetch_all() -> dict[str, FetchReport]:
    """Every active IMAP mailbox; one failing server does not keep the others from being read."""
    reports: dict[str, FetchReport] = {}
    for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host=""):
        try:
            reports[mailbox.name] = fetch_mailbox(mailbox)
        except (imaplib.IMAP4.error, OSError, OAuthError) as error:
            logger.warning("Fetching mail from %s failed: %s", mailbox, error)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(error)[:2000])
    return reports
