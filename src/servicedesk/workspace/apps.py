from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "servicedesk.workspace"
    label = "workspace"
