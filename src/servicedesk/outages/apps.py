from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "servicedesk.outages"
    label = "outages"
    verbose_name = "System status"

    def ready(self) -> None:
        # A child disputed after its major incident was resolved leaves it (inside the
        # dispute's transaction).
        from servicedesk.outages.major import major_incident_leave_on_dispute
        from servicedesk.tickets.events import subscribe

        subscribe(major_incident_leave_on_dispute)
