from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "servicedesk.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Ticket events leave webhook outbox rows inside the ticket's transaction.
        from servicedesk.api.webhooks import on_ticket_event
        from servicedesk.tickets.events import subscribe

        subscribe(on_ticket_event)
