"""The one module that reads the process environment.

Everything configurable by an operator is read here, once, and handed to settings as typed
values, so that no other module depends on `os.environ`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secrets_keys() -> list[str]:
    """Keys that encrypt secrets at rest (mailbox passwords, webhook secrets), newest first:
    `SERVICEDESK_SECRETS_KEYS` (comma-separated) or the file `SERVICEDESK_SECRETS_KEYS_FILE`
    names (one key a line, e.g. a container or systemd credential)."""
    path = os.environ.get("SERVICEDESK_SECRETS_KEYS_FILE")
    raw = Path(path).read_text() if path else os.environ.get("SERVICEDESK_SECRETS_KEYS", "")
    return [key.strip() for key in raw.replace(",", "\n").splitlines() if key.strip()]


def _rate(name: str, default: str) -> tuple[int, int]:
    """`HITS/SECONDS` (e.g. `600/60`); `off` or `0` switches the limit off."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in {"off", "0", ""}:
        return (0, 0)
    try:
        hits, seconds = (int(part) for part in raw.split("/"))
    except ValueError:
        hits = seconds = -1
    if hits < 0 or seconds <= 0:
        raise ValueError(f"{name}={raw!r}: write HITS/SECONDS, e.g. 600/60, or off.")
    return (hits, seconds)


@dataclass(frozen=True)
class Environment:
    debug: bool
    secret_key: str
    # True when no SECRET_KEY or SECRET_KEY_FILE is set: a developer's checkout or the demo.
    secret_key_is_local: bool
    database_url: str
    # Connections each process keeps in psycopg's pool (0: no pool); under ASGI (`serve`) the
    # size of every web process's pool, on PostgreSQL and SQLite (0: 10).
    db_pool_size: int
    # Whether kept statements are prepared on PostgreSQL's side (`core/server_binding.py`).
    db_prepared_statements: bool
    allowed_hosts: list[str]
    data_dir: Path
    port: int
    password_reset_url: str
    dispute_window_days: int
    test_database_name: str | None
    p1_around_the_clock: bool
    base_url: str
    mail_delivery: str
    base_url_configured: bool
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    smtp_tls: bool
    mail_from: str
    mail_domain: str
    mail_unknown_sender: str
    mail_own_domains: list[str]
    smtp_receiver_tls_cert: str
    smtp_receiver_tls_key: str
    smtp_receiver_require_tls: bool
    log_format: str
    log_level: str
    metrics_token: str
    metrics_allowed_addresses: list[str]
    ready_task_backlog_seconds: int
    ready_outbox_backlog_seconds: int
    https: bool
    hsts_seconds: int
    hsts_preload: bool
    trusted_origins: list[str]
    behind_proxy: bool
    rate_limits: dict[str, tuple[int, int]]
    secrets_keys: list[str]
    trusted_proxies: int
    sign_in: SignInEnvironment


@dataclass(frozen=True)
class LdapEnvironment:
    server_uri: str
    bind_dn: str
    bind_password: str
    start_tls: bool
    user_search_base: str
    user_filter: str
    group_search_base: str
    group_type: str


@dataclass(frozen=True)
class SignInEnvironment:
    failure_limit: int
    lockout_minutes: int
    password_reset_limit: str
    # Each: {"id", "name", "server_url", "client_id", "secret"}; more providers are admin rows.
    oidc_providers: list[dict[str, str]]
    ldap: LdapEnvironment | None


OIDC_PROVIDER_KEYS = {"id", "name", "server_url", "client_id"}


def _oidc_providers() -> list[dict[str, str]]:
    raw = os.environ.get("SERVICEDESK_OIDC_PROVIDERS", "").strip()
    if not raw:
        return []
    try:
        providers = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"SERVICEDESK_OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(providers, list) or not all(isinstance(p, dict) for p in providers):
        raise ValueError("SERVICEDESK_OIDC_PROVIDERS must be a JSON list of objects")
    for provider in providers:
        missing = OIDC_PROVIDER_KEYS - provider.keys()
        if missing:
            raise ValueError(
                f"SERVICEDESK_OIDC_PROVIDERS: a provider lacks {', '.join(sorted(missing))}"
            )
    return [{key: str(value) for key, value in p.items()} for p in providers]


def _ldap() -> LdapEnvironment | None:
    server_uri = os.environ.get("SERVICEDESK_LDAP_SERVER_URI", "").strip()
    if not server_uri:
        return None
    return LdapEnvironment(
        server_uri=server_uri,
        bind_dn=os.environ.get("SERVICEDESK_LDAP_BIND_DN", ""),
        bind_password=os.environ.get("SERVICEDESK_LDAP_BIND_PASSWORD", ""),
        start_tls=_flag("SERVICEDESK_LDAP_START_TLS", False),
        user_search_base=os.environ.get("SERVICEDESK_LDAP_USER_SEARCH_BASE", ""),
        user_filter=os.environ.get("SERVICEDESK_LDAP_USER_FILTER", "(uid=%(user)s)"),
        group_search_base=os.environ.get("SERVICEDESK_LDAP_GROUP_SEARCH_BASE", ""),
        group_type=os.environ.get("SERVICEDESK_LDAP_GROUP_TYPE", "groupOfNames"),
    )


def read_sign_in_environment() -> SignInEnvironment:
    return SignInEnvironment(
        # Wrong passwords allowed per account and per address before sign-in is refused.
        failure_limit=int(os.environ.get("SERVICEDESK_SIGN_IN_FAILURE_LIMIT", "5")),
        lockout_minutes=int(os.environ.get("SERVICEDESK_SIGN_IN_LOCKOUT_MINUTES", "15")),
        # Reset mails: per address per minute, and per e-mail address per hour.
        password_reset_limit=os.environ.get("SERVICEDESK_PASSWORD_RESET_LIMIT", "20/m/ip,3/h/key"),
        oidc_providers=_oidc_providers(),
        ldap=_ldap(),
    )


def read_environment() -> Environment:
    data_dir = Path(os.environ.get("SERVICEDESK_DATA_DIR", PROJECT_ROOT / "var"))
    return Environment(
        debug=_flag("SERVICEDESK_DEBUG", False),
        secret_key=_secret_key(data_dir),
        secret_key_is_local=not (
            os.environ.get("SECRET_KEY", "").strip()
            or os.environ.get("SECRET_KEY_FILE", "").strip()
        ),
        database_url=os.environ.get(
            "DATABASE_URL", f"sqlite:///{data_dir / 'servicedesk.sqlite3'}"
        ),
        db_pool_size=int(os.environ.get("SERVICEDESK_DB_POOL_SIZE", "0")),
        db_prepared_statements=_flag("SERVICEDESK_DB_PREPARED_STATEMENTS", True),
        allowed_hosts=os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(","),
        data_dir=data_dir,
        port=int(os.environ.get("PORT", "8000")),
        # Empty: the portal's own "Update password" page; or an outside self-service page.
        password_reset_url=os.environ.get("SERVICEDESK_PASSWORD_RESET_URL", ""),
        dispute_window_days=int(os.environ.get("SERVICEDESK_DISPUTE_WINDOW_DAYS", "3")),
        # Lets two test runs share one PostgreSQL server without dropping each other's database.
        test_database_name=os.environ.get("SERVICEDESK_TEST_DATABASE_NAME"),
        p1_around_the_clock=_flag("SERVICEDESK_P1_AROUND_THE_CLOCK", True),
        # Links in mail point here: the address people use to reach the portal. Unset, it is
        # the address the server runs on (`servicedesk serve` passes its own to its workers).
        base_url=os.environ.get(
            "SERVICEDESK_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        ).rstrip("/"),
        base_url_configured=bool(os.environ.get("SERVICEDESK_BASE_URL")),
        # "smtp", or "files": mail is written to <data dir>/sent-mail instead (demo, trials).
        mail_delivery=os.environ.get("SERVICEDESK_MAIL_DELIVERY", "smtp").strip().lower(),
        smtp_host=os.environ.get("SERVICEDESK_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("SERVICEDESK_SMTP_PORT", "25")),
        smtp_user=os.environ.get("SERVICEDESK_SMTP_USER", ""),
        smtp_password=os.environ.get("SERVICEDESK_SMTP_PASSWORD", ""),
        smtp_starttls=_flag("SERVICEDESK_SMTP_STARTTLS", False),
        # TLS from the first byte (port 465), instead of STARTTLS.
        smtp_tls=_flag("SERVICEDESK_SMTP_TLS", False),
        mail_from=os.environ.get("SERVICEDESK_MAIL_FROM", "Service Desk <servicedesk@localhost>"),
        # The right-hand side of our Message-IDs: how we recognise our own mail coming back.
        mail_domain=os.environ.get("SERVICEDESK_MAIL_DOMAIN", "servicedesk.localhost"),
        # "quarantine": mail from an address nobody in the directory has waits for an agent;
        # "create": such a sender becomes a requester.
        mail_unknown_sender=os.environ.get("SERVICEDESK_MAIL_UNKNOWN_SENDER", "quarantine"),
        # Our own mail domains (comma-separated), besides those of the desk addresses.
        mail_own_domains=_list("SERVICEDESK_MAIL_OWN_DOMAINS", ""),
        # The SMTP receiver offers STARTTLS with this certificate chain and key (PEM files).
        smtp_receiver_tls_cert=os.environ.get("SERVICEDESK_SMTP_RECEIVER_TLS_CERT", "").strip(),
        smtp_receiver_tls_key=os.environ.get("SERVICEDESK_SMTP_RECEIVER_TLS_KEY", "").strip(),
        # Refuse mail from senders that do not start TLS (not for a public MX: RFC 3207).
        smtp_receiver_require_tls=_flag("SERVICEDESK_SMTP_RECEIVER_REQUIRE_TLS", False),
        # "text" for a person at a console, "json" (one object a line) for a log collector.
        log_format=os.environ.get("SERVICEDESK_LOG_FORMAT", "text").strip().lower(),
        log_level=os.environ.get("SERVICEDESK_LOG_LEVEL", "INFO").strip().upper(),
        metrics_token=os.environ.get("SERVICEDESK_METRICS_TOKEN", ""),
        metrics_allowed_addresses=_list("SERVICEDESK_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1"),
        ready_task_backlog_seconds=int(
            os.environ.get("SERVICEDESK_READY_TASK_BACKLOG_SECONDS", "300")
        ),
        ready_outbox_backlog_seconds=int(
            os.environ.get("SERVICEDESK_READY_OUTBOX_BACKLOG_SECONDS", "1800")
        ),
        # Served over HTTPS (behind a proxy that terminates TLS): redirects, secure cookies, HSTS.
        https=_flag("SERVICEDESK_HTTPS", False),
        hsts_seconds=int(os.environ.get("SERVICEDESK_HSTS_SECONDS", "31536000")),
        hsts_preload=_flag("SERVICEDESK_HSTS_PRELOAD", True),
        trusted_origins=_list("SERVICEDESK_CSRF_TRUSTED_ORIGINS", ""),
        # Trust the proxy's X-Forwarded-Proto header; only right when a proxy always sets it.
        behind_proxy=_flag("SERVICEDESK_BEHIND_PROXY", False),
        # Abuse limits, HITS/SECONDS each (docs/deploy.md): counted in the database, so they
        # hold across workers and hosts.
        rate_limits={
            "api.token": _rate("SERVICEDESK_LIMIT_API_TOKEN", "600/60"),
            "api.address": _rate("SERVICEDESK_LIMIT_API_ADDRESS", "60/60"),
            "portal.filing": _rate("SERVICEDESK_LIMIT_PORTAL_FILING", "10/3600"),
            "chat.message": _rate("SERVICEDESK_LIMIT_CHAT_MESSAGE", "30/60"),
        },
        secrets_keys=_secrets_keys(),
        # Reverse proxies in front of the application that append to X-Forwarded-For.
        trusted_proxies=int(os.environ.get("SERVICEDESK_TRUSTED_PROXIES", "0")),
        sign_in=read_sign_in_environment(),
    )


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key(data_dir: Path) -> str:
    """SECRET_KEY, else the file SECRET_KEY_FILE names, else this installation's local key file.

    `make install` writes the local key (`var/secret_key`, never committed), so the demo and
    the tests run without setting anything; a production host sets SECRET_KEY or
    SECRET_KEY_FILE, and settings refuse to start with DEBUG off when none of the three is there.
    """
    if key := os.environ.get("SECRET_KEY", "").strip():
        return key
    named = os.environ.get("SECRET_KEY_FILE", "").strip()
    key_file = Path(named) if named else data_dir / LOCAL_KEY_FILE_NAME
    if key_file.is_file():
        return key_file.read_text().strip()
    return ""


LOCAL_KEY_FILE_NAME = "secret_key"
