"""The password-reset form: only for local accounts."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm

from servicedesk.directory.models import Person
from servicedesk.directory.sign_in.groups import has_local_password


class LocalAccountResetPasswordForm(ResetPasswordForm):  # type: ignore[misc]
    """People who sign in through a directory change their password there; a reset mail would
    give them a second, local password the directory knows nothing of. They get no mail, and
    the page says the same as for any address, so it tells nobody who signs in how."""

    users: list[Person]

    def clean_email(self) -> str:
        email: str = super().clean_email()
        self.users = [person for person in self.users if has_local_password(person)]
        return email
