"""Signing in: directory sign-in (LDAP, OpenID Connect), two-factor sign-in and the lockout
after wrong passwords. See docs/sign-in.md."""
