from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "servicedesk.workspace"
    label = "workspace"

    def ready(self) -> None:
        # Long queue and saved-view exports run in the background: say how to pick their rows.
        from servicedesk.reports.export_jobs import register_builder
        from servicedesk.workspace.views import exports

        register_builder(exports.QUEUE_SOURCE, exports.queue_export_tickets)
        register_builder(exports.SAVED_VIEW_SOURCE, exports.saved_view_export_tickets)
