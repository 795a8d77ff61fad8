"""How django-allauth signs people in here: no self-registration of local accounts; people
who sign in through an OpenID provider are created or updated from its claims, and the
directory group rules give them their role and support groups."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.directory.models import Person
from servicedesk.directory.sign_in.groups import has_local_password, person_apply_directory_groups
from servicedesk.directory.sign_in.two_factor import SETUP_REQUIRED

DEFAULT_GROUPS_CLAIM = "groups"
QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The wording people knew before single sign-on came.
        "username_password_mismatch": _(
            "Please enter a correct username and password. Both may be case-sensitive."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Local accounts are made by an admin; everyone else signs in through a directory."""
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """Signing in and out says nothing: the page one lands on says enough."""
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Someone sent to set up the second factor their role requires has just signed in:
        asking for their password (or a trip to their provider) again would only annoy."""
        request = context.request
        if app == "allauth.mfa" and request is not None and request.session.get(SETUP_REQUIRED):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    # The ID token and the userinfo answer may each carry the groups; userinfo wins.
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _groups(sociallogin: SocialLogin) -> list[str]:
    app = sociallogin.provider.app if sociallogin.provider else None
    claim = (app.settings.get("groups_claim") if app else None) or DEFAULT_GROUPS_CLAIM
    groups = _claims(sociallogin).get(claim) or []
    if isinstance(groups, str):
        groups = [groups]
    return [str(group) for group in groups]


def _apply_groups(sociallogin: SocialLogin) -> None:
    person = sociallogin.user
    person_apply_directory_groups(
        person=person, source=sociallogin.account.provider, groups=_groups(sociallogin)
    )


def _verified_email(sociallogin: SocialLogin) -> str | None:
    for address in sociallogin.email_addresses:
        if address.verified:
            return str(address.email)
    return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if not sociallogin.is_existing:
            self._connect_known_person(request, sociallogin)
        if sociallogin.is_existing:
            self._update_person(sociallogin)
            _apply_groups(sociallogin)

    def save_user(
        self, request: HttpRequest, sociallogin: SocialLogin, form: Form | None = None
    ) -> Person:
        person: Person = super().save_user(request, sociallogin, form)
        _apply_groups(sociallogin)
        return person

    def _connect_known_person(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A requester the desk already knows (from mail, say) is the same person when the
        provider vouches for the address; a local account with a password never is."""
        email = _verified_email(sociallogin)
        if not email:
            return
        known = [
            person
            for person in Person.objects.filter(email__iexact=email, is_active=True)
            if not has_local_password(person)
            and not SocialAccount.objects.filter(user=person).exists()
        ]
        if len(known) == 1:
            sociallogin.connect(request, known[0])

    def _update_person(self, sociallogin: SocialLogin) -> None:
        person: Person = sociallogin.user
        claims = _claims(sociallogin)
        fresh = {
            "first_name": claims.get("given_name"),
            "last_name": claims.get("family_name"),
            "email": claims.get("email"),
        }
        changed = [
            field for field, value in fresh.items() if value and getattr(person, field) != value
        ]
        for field in changed:
            setattr(person, field, fresh[field])
        if changed:
            person.save(update_fields=changed)
