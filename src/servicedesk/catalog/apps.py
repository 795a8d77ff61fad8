from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "servicedesk.catalog"
    label = "catalog"
