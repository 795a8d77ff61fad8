"""Prometheus metrics: the web process's own (django-prometheus) plus the desk's state.

The desk's gauges are read from the database at scrape time, so every web worker reports the
same figures. Who may read them: addresses in SERVICEDESK_METRICS_ALLOWED_ADDRESSES, or anyone
presenting `Authorization: Bearer <SERVICEDESK_METRICS_TOKEN>` (see docs/deploy.md).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from servicedesk.core.readiness import outbox_backlog, task_backlog
from servicedesk.mail.choices import InboundState
from servicedesk.mail.models import InboundMessage
from servicedesk.notifications.choices import DeliveryState
from servicedesk.notifications.models import OutboundEmail
from servicedesk.sla.choices import ClockState
from servicedesk.sla.models import TicketClock
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.workflow import OPEN_STATES


def may_read_metrics(request: HttpRequest) -> bool:
    token = settings.SERVICEDESK_METRICS_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    return _address_allowed(request.META.get("REMOTE_ADDR", ""))


def _address_allowed(address: str) -> bool:
    try:
        remote = ipaddress.ip_address(address)
    except ValueError:
        return False
    for allowed in settings.SERVICEDESK_METRICS_ALLOWED_ADDRESSES:
        try:
            if remote in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


class DeskCollector(Collector):
    """Open tickets by state, work waiting, SLA breaches and inbound mail trouble."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield self._open_tickets()
        tasks, outbox = task_backlog(now), outbox_backlog(now)
        yield _gauge(
            "servicedesk_tasks_waiting", "Background tasks due and not yet started.", tasks.waiting
        )
        yield _gauge(
            "servicedesk_tasks_oldest_wait_seconds",
            "How long the longest-waiting due task has waited.",
            tasks.age_seconds(now),
        )
        yield _gauge(
            "servicedesk_outbox_due", "Mails due for delivery (first try or retry).", outbox.waiting
        )
        yield _gauge(
            "servicedesk_outbox_oldest_due_seconds",
            "How long the longest-due mail has waited.",
            outbox.age_seconds(now),
        )
        yield _gauge(
            "servicedesk_outbox_failed",
            "Mails given up on after every retry.",
            OutboundEmail.objects.filter(state=DeliveryState.FAILED).count(),
        )
        yield self._sla_breaches()
        yield self._inbound_trouble()

    def _open_tickets(self) -> Metric:
        family = GaugeMetricFamily(
            "servicedesk_open_tickets", "Open tickets, by state.", labels=["state"]
        )
        counts = dict(
            Ticket.objects.filter(state__in=OPEN_STATES)
            .values("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        for state in sorted(OPEN_STATES):
            family.add_metric([str(state)], counts.get(state, 0))
        return family

    def _sla_breaches(self) -> Metric:
        family = GaugeMetricFamily(
            "servicedesk_sla_breached_clocks",
            "SLA clocks of open tickets past their target, by metric.",
            labels=["metric"],
        )
        rows = (
            TicketClock.objects.filter(
                ticket__state__in=OPEN_STATES,
                state__in=[ClockState.RUNNING, ClockState.PAUSED],
                breached_at__isnull=False,
            )
            .values("metric")
            .annotate(n=Count("id"))
            .values_list("metric", "n")
        )
        for metric, count in rows:
            family.add_metric([metric], count)
        return family

    def _inbound_trouble(self) -> Metric:
        family = GaugeMetricFamily(
            "servicedesk_inbound_mail",
            "Inbound mail that needs a person: failed (malformed) or quarantined.",
            labels=["state"],
        )
        counts = dict(
            InboundMessage.objects.filter(state__in=[InboundState.FAILED, InboundState.QUARANTINED])
            .values("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        for state in (InboundState.FAILED, InboundState.QUARANTINED):
            family.add_metric([str(state)], counts.get(state, 0))
        return family


def _gauge(name: str, documentation: str, value: float) -> Metric:
    return GaugeMetricFamily(name, documentation, value=value)
