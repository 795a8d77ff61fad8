from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "servicedesk.directory"
    label = "directory"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from servicedesk.directory.sign_in import two_factor

        user_logged_in.connect(two_factor.mark_on_sign_in, dispatch_uid="two_factor_on_sign_in")
