"""Send due webhook deliveries: signed, claimed one at a time before sending, retried with backoff.

Signature: `X-Servicedesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
A receiver recomputes it and rejects old timestamps, so a captured delivery cannot be replayed
later. Each attempt is signed afresh. Sending happens outside any transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from servicedesk.api.models import WebhookDelivery, WebhookDeliveryState
from servicedesk.api.webhooks import WebhookError, check_target_url

logger = logging.getLogger(__name__)

# A claim outlives one attempt (the POST's timeout) by a margin; a worker that dies leaves only the
# delivery it was posting, for this long.
CLAIM_MARGIN = timedelta(seconds=15)
BATCH = 100


@dataclass
class WebhookReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={signed.hexdigest()}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an address the allow-list refuses: treat it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def backoff(attempts: int) -> timedelta:
    base = settings.SERVICEDESK_WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim_next(due_by: datetime | None, skip: list[int]) -> WebhookDelivery | None:
    """The next due delivery, oldest first, leased to this worker; None when nothing is due.
    Rows another worker is claiming right now are skipped, not waited for."""
    now = timezone.now()
    lease = timedelta(seconds=settings.SERVICEDESK_WEBHOOK_TIMEOUT_SECONDS) + CLAIM_MARGIN
    with transaction.atomic():
        pk = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(state=WebhookDeliveryState.PENDING, next_attempt_at__lte=due_by or now)
            .exclude(pk__in=skip)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        WebhookDelivery.objects.filter(pk=pk).update(
            next_attempt_at=max(now, due_by or now) + lease
        )
    return WebhookDelivery.objects.select_related("subscription__owner").get(pk=pk)


def _post(delivery: WebhookDelivery) -> int:
    subscription = delivery.subscription
    check_target_url(subscription.url, allow_private=subscription.allow_private)
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    request = urllib.request.Request(
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Servicedesk-Webhooks/1",
            "X-Servicedesk-Event": delivery.event_type,
            "X-Servicedesk-Delivery": str(delivery.event_id),
            "X-Servicedesk-Signature": signature(subscription.secret, int(time.time()), body),
        },
    )
    timeout = settings.SERVICEDESK_WEBHOOK_TIMEOUT_SECONDS
    with _opener.open(request, timeout=timeout) as response:
        return int(response.status)


def _record(
    delivery: WebhookDelivery, status: int | None, error: str, report: WebhookReport
) -> None:
    attempts = delivery.attempts + 1
    now = timezone.now()
    if not error:
        state, next_at = WebhookDeliveryState.DELIVERED, now
        report.delivered += 1
    elif attempts >= settings.SERVICEDESK_WEBHOOK_MAX_ATTEMPTS:
        state, next_at = WebhookDeliveryState.FAILED, now
        report.failed += 1
    else:
        state, next_at = WebhookDeliveryState.PENDING, now + backoff(attempts)
        report.retrying += 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=state,
        attempts=attempts,
        next_attempt_at=next_at,
        last_status_code=status,
        last_error=error[:2000],
        delivered_at=now if not error else None,
    )


def _drop(delivery: WebhookDelivery, now: datetime) -> None:
    """Queued before its owner was deactivated (or the subscription removed): never sent."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDeliveryState.FAILED,
        next_attempt_at=now,
        last_error="not sent: the subscription or its owner is no longer active",
    )


def deliver_due_webhooks(now: datetime | None = None, limit: int = BATCH) -> WebhookReport:
    """Post up to `limit` due deliveries, claimed one at a time (so a worker that dies holds one
    for a short lease, and the rest wait for nobody)."""
    report = WebhookReport()
    done: list[int] = []
    while len(done) < limit:
        delivery = _claim_next(now, done)
        if delivery is None:
            break
        done.append(delivery.pk)
        if not delivery.subscription.owner.is_active or not delivery.subscription.is_active:
            _drop(delivery, now or timezone.now())
            continue
        try:
            status = _post(delivery)
        except urllib.error.HTTPError as error:
            _record(delivery, error.code, f"HTTP {error.code}", report)
        except (WebhookError, OSError, ValueError) as error:
            _record(delivery, None, f"{type(error).__name__}: {error}", report)
        else:
            _record(delivery, status, "", report)
    return report
