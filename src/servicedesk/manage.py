"""The `servicedesk` console command: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings)
    except ImproperlyConfigured as error:
        # A configuration mistake is the operator's to fix: say it plainly, no traceback.
        sys.exit(f"servicedesk cannot start: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
