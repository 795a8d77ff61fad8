from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "servicedesk.outages"
    label = "outages"
    verbose_name = "System status"
