from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "servicedesk.directory"
    label = "directory"
