"""django-auth-ldap settings built from the environment (docs/sign-in.md).

Kept apart from the backend: settings import this before Django's apps are ready.
"""

from __future__ import annotations

from typing import Any

import ldap
from django_auth_ldap.config import (
    GroupOfNamesType,
    LDAPGroupType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

from servicedesk.config.env import LdapEnvironment

GROUP_TYPES: dict[str, type[LDAPGroupType]] = {
    "groupOfNames": GroupOfNamesType,
    "activeDirectory": NestedActiveDirectoryGroupType,
    "posix": PosixGroupType,
}


def ldap_settings(env: LdapEnvironment) -> dict[str, Any]:
    if env.group_type not in GROUP_TYPES:
        raise ValueError(
            f"SERVICEDESK_LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, "
            f"not {env.group_type!r}"
        )
    group_base = env.group_search_base or env.user_search_base
    return {
        "AUTH_LDAP_SERVER_URI": env.server_uri,
        "AUTH_LDAP_BIND_DN": env.bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": env.bind_password,
        "AUTH_LDAP_START_TLS": env.start_tls,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            env.user_search_base, ldap.SCOPE_SUBTREE, env.user_filter
        ),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(group_base, ldap.SCOPE_SUBTREE),
        "AUTH_LDAP_GROUP_TYPE": GROUP_TYPES[env.group_type](),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # Active Directory refers clients elsewhere; following referrals anonymously fails.
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5},
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
