from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "servicedesk.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Listeners write in-app notifications and outbox rows inside the ticket's transaction.
        from servicedesk.notifications.listeners import on_ticket_event
        from servicedesk.tickets.events import subscribe

        subscribe(on_ticket_event)
