from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "servicedesk.reports"
    label = "reports"

    def ready(self) -> None:
        # The drill-down list can be exported in the background: say how to pick its tickets.
        from servicedesk.reports.export_jobs import register_builder
        from servicedesk.reports.views import DRILL_SOURCE, drilled_tickets

        register_builder(DRILL_SOURCE, drilled_tickets)
