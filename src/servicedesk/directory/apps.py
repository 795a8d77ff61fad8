from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "servicedesk.directory"
    label = "directory"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in

        from servicedesk.directory.sign_in import two_factor

        user_logged_in.connect(two_factor.mark_on_sign_in, dispatch_uid="two_factor_on_sign_in")
        authenticator_added.connect(
            two_factor.clear_on_factor_added, dispatch_uid="two_factor_factor_added"
        )
