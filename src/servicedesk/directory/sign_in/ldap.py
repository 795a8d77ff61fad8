"""Sign-in with an LDAP / Active Directory password (django-auth-ldap)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

from servicedesk.directory.models import Person
from servicedesk.directory.sign_in.groups import has_local_password, person_apply_directory_groups

SOURCE = "ldap"


class DirectoryLdapBackend(LDAPBackend):  # type: ignore[misc]
    """Checks the password against the directory, creates or updates the person from it, and
    applies the directory group rules. Asks nothing when no LDAP server is configured."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Person | None:
        if not getattr(settings, "AUTH_LDAP_SERVER_URI", ""):
            return None
        person: Person | None = super().authenticate(request, username, password, **kwargs)
        return person

    def get_or_build_user(self, username: str, ldap_user: _LDAPUser) -> tuple[Person, bool]:
        person, built = super().get_or_build_user(username, ldap_user)
        # A local account with a password (the demo's, a break-glass admin's) is never taken
        # over by a directory entry of the same name.
        if not built and has_local_password(person):
            raise ldap_user.AuthenticationFailed(f"{username} is a local account")
        return person, built

    def authenticate_ldap_user(self, ldap_user: _LDAPUser, password: str) -> Person | None:
        person: Person | None = super().authenticate_ldap_user(ldap_user, password)
        if person is not None:
            groups = [*ldap_user.group_names, *ldap_user.group_dns]
            person_apply_directory_groups(person=person, source=SOURCE, groups=groups)
        return person
