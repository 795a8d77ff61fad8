from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "servicedesk.directory"
    label = "directory"

    def ready(self) -> None:
        from allauth.socialaccount.models import SocialApp
        from django.contrib.auth.signals import user_logged_in

        from servicedesk.core.audit import audit_register
        from servicedesk.directory.sign_in import two_factor

        # OpenID providers set up in the admin are sign-in settings: audited, secret masked.
        audit_register(SocialApp, secrets=("secret",))

        user_logged_in.connect(two_factor.mark_on_sign_in, dispatch_uid="two_factor_on_sign_in")
