"""`{{ count|queue_count }}`: a queue's size as counted by `tickets.queues` ("1,000+" past the
cap, where counting stops)."""

from django import template
from django.utils.formats import number_format

from servicedesk.tickets import queues

register = template.Library()


@register.filter
def queue_count(count: int) -> str:
    if count > queues.COUNT_CAP:
        return f"{number_format(queues.COUNT_CAP, force_grouping=True)}+"
    return str(count)
