"""Django settings: wiring only. Values an operator may change come from `config.env`."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from servicedesk.config.env import PROJECT_ROOT, read_environment
from servicedesk.config.logs import logging_config
from servicedesk.config.security import local_secret_key

ENV = read_environment()
ENV.data_dir.mkdir(parents=True, exist_ok=True)

BASE_DIR = PROJECT_ROOT
DEBUG = ENV.debug
# Never a key shipped in the repository: anyone could then forge sessions and reply tokens.
SECRET_KEY = ENV.secret_key or (local_secret_key(ENV.data_dir) if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Production (SERVICEDESK_DEBUG off) needs its own key: set "
        "SECRET_KEY, or SECRET_KEY_FILE to a file holding it (see docs/deploy.md). "
        "On a developer's machine `make install` writes a local one to var/secret_key."
    )
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's two-factor pages
    "django_htmx",
    # Serves the API docs' Swagger UI from our own static files (without it: from a CDN, which
    # the Content-Security-Policy refuses and an offline install cannot reach).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "servicedesk.core",
    "servicedesk.directory",
    "servicedesk.sla",
    "servicedesk.catalog",
    "servicedesk.tickets",
    "servicedesk.outages",
    "servicedesk.knowledge",
    "servicedesk.notifications",
    "servicedesk.reports",
    "servicedesk.mail",
    "servicedesk.api",
    "servicedesk.portal",
    "servicedesk.workspace",
    "servicedesk.chat",
    "servicedesk.demo",
    # After ours, so that our templates of their pages win.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "axes",
]

MIDDLEWARE = [
    # Outermost, so that every streamed answer, WhiteNoise's static files too, goes out a chunk
    # at a time under ASGI (nothing outside it reads the content).
    "servicedesk.core.downloads.AsyncStreamingMiddleware",
    "servicedesk.core.request_log.RequestLogMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "servicedesk.core.request_log.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "servicedesk.directory.sign_in.csp.SignInFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "servicedesk.core.stored_text.PostgresSafeInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "servicedesk.directory.sign_in.two_factor.TwoFactorRequiredMiddleware",
    "servicedesk.core.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "servicedesk.core.middleware.NoStoreMiddleware",
    # Last but for the metrics, so that it turns a refused sign-in into the page that says when
    # to retry.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Innermost, so that under ASGI every middleware runs in the view's thread (its docstring).
    "servicedesk.core.middleware.SynchronousChainMiddleware",
]

ROOT_URLCONF = "servicedesk.config.urls"
# Django's form renderer with drop-down lists written in Python (core/form_renderer.py).
FORM_RENDERER = "servicedesk.core.form_renderer.SelectRenderer"
WSGI_APPLICATION = "servicedesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% url %}` with the addresses it reverses kept for the process.
            "builtins": ["servicedesk.core.kept_urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicedesk.notifications.context_processors.notifications",
            ],
        },
    },
]


def pool_options(size: int) -> dict[str, Any]:
    """psycopg's pool for one process (docs/deploy.md, "Connection pooling"). With the health
    checks on, Django has the pool check each connection as it hands it out, so that after a
    database restart no request gets a dead one."""
    return {"min_size": 1, "max_size": size, "timeout": 10}


SQLITE_ENGINE = "servicedesk.core.sqlite"
POSTGRESQL_ENGINE = "servicedesk.core.postgresql"


def pooled_for_asgi(database: dict[str, Any], size: int) -> None:
    """A database as the web server under ASGI uses it (`config/asgi.py`): no connection kept
    by a request's thread, a pool of `size` per process instead (unless one is configured):
    psycopg's on PostgreSQL, our own on SQLite (`core/sqlite/pool.py`)."""
    database["CONN_MAX_AGE"] = 0
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == POSTGRESQL_ENGINE:
        options.setdefault("pool", pool_options(size))
    elif database["ENGINE"] == SQLITE_ENGINE:
        options.setdefault("pool", size)


# PostgreSQL's price of starting parallel workers for one query, in its cost units (its
# default: 1,000), on every connection of ours (`_database`).
PARALLEL_SETUP_COST = 10_000


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend with writers queued on a file lock, not on SQLite's sleeping retries.
        config["ENGINE"] = SQLITE_ENGINE
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # A file, not memory, so tests see WAL and locking as production does; one per process
        # so that two test runs in one checkout never share it.
        config["TEST"] = {"NAME": str(ENV.data_dir / f"test_servicedesk_{os.getpid()}.sqlite3")}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with instants read by psycopg's compiled loader (`core/postgresql`).
        config["ENGINE"] = POSTGRESQL_ENGINE
        # JIT compiling pays off in long reports, not in a desk's pages: at 100,000 tickets it
        # added 70–100 ms to a queue or search page query that ran in 30 ms (bench/README.md).
        # Parallel workers: priced ten times PostgreSQL's default to start, so that only the
        # long reads take them. Starting two cost a page's walk 10–15 ms before its first row at
        # a million tickets, three times the walk itself ("my open": 17 ms parallel, 6 ms not).
        config.setdefault("OPTIONS", {})["options"] = (
            f"-c jit=off -c parallel_setup_cost={PARALLEL_SETUP_COST}"
        )
        if ENV.db_prepared_statements:
            # psycopg prepares a statement bound on the server at its second run on a
            # connection; only kept statements are (`core/server_binding.py`), every other one
            # is bound on the client, which psycopg never prepares.
            config["OPTIONS"]["prepare_threshold"] = 1
        if ENV.db_pool_size:
            config["OPTIONS"]["pool"] = pool_options(ENV.db_pool_size)
            # The pool keeps connections; Django must not keep its own as well.
            config["CONN_MAX_AGE"] = 0
    if ENV.test_database_name:
        config["TEST"] = {"NAME": ENV.test_database_name}
    return config


DATABASES = {"default": _database(ENV.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.Person"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in (docs/sign-in.md): local accounts (the demo, break-glass admins), LDAP / Active
# Directory, OpenID Connect providers, two-factor sign-in, and a lockout after wrong passwords.
AUTHENTICATION_BACKENDS = [
    "servicedesk.directory.sign_in.lockout.LockoutBackend",
    "servicedesk.directory.sign_in.local.LocalPasswordBackend",
    "servicedesk.directory.sign_in.ldap.DirectoryLdapBackend",
]
ACCOUNT_ADAPTER = "servicedesk.directory.sign_in.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "servicedesk.directory.sign_in.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "reset_password": "servicedesk.directory.sign_in.forms.LocalAccountResetPasswordForm"
}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# A person may have an SSO identity and a break-glass account with the same address.
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are counted by the lockout below, which says when to retry; right ones
    # are not limited (a whole office signs in from one address at nine).
    "login_failed": None,
    "login": None,
    "reset_password": ENV.sign_in.password_reset_limit,
}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": provider["id"],
                "name": provider["name"],
                "client_id": provider["client_id"],
                "secret": provider.get("secret", ""),
                "settings": {"server_url": provider["server_url"]},
            }
            for provider in ENV.sign_in.oidc_providers
        ],
    }
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Servicedesk"
# A code typed as it turns over (every 30 s) still counts: one period either side.
MFA_TOTP_TOLERANCE = 1
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
AXES_FAILURE_LIMIT = ENV.sign_in.failure_limit + 1
AXES_COOLOFF_TIME = timedelta(minutes=ENV.sign_in.lockout_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The retry time we show stays true: attempts during a lockout do not push it further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "servicedesk.directory.sign_in.lockout.attempted_username"
AXES_LOCKOUT_CALLABLE = "servicedesk.directory.sign_in.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Logs name the account and the address (never the password): what an operator needs to act.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# LDAP / Active Directory: read only when SERVICEDESK_LDAP_SERVER_URI is set.
if ENV.sign_in.ldap is not None:
    from servicedesk.config.ldap import ldap_settings

    globals().update(ldap_settings(ENV.sign_in.ldap))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.data_dir / "static"
# CSS installed from npm is copied here by `make static`; the folder is git-ignored.
STATICFILES_DIRS = [PROJECT_ROOT / "static"]
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (favicon.ico).
WHITENOISE_ROOT = Path(__file__).resolve().parents[1] / "core" / "root"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = ENV.data_dir / "media"

# Mail has its own queue and worker (docs/deploy.md, "The processes").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read by a statement compiled once (`core/sessions.py`).
SESSION_ENGINE = "servicedesk.core.sessions"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Over HTTPS (SERVICEDESK_HTTPS): plain http is redirected, cookies travel only encrypted and
# browsers are told to come back over HTTPS only. Off for `make run` on http://127.0.0.1.
SECURE_SSL_REDIRECT = ENV.https
SESSION_COOKIE_SECURE = ENV.https
CSRF_COOKIE_SECURE = ENV.https
SECURE_HSTS_SECONDS = ENV.hsts_seconds if ENV.https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = ENV.https
SECURE_HSTS_PRELOAD = ENV.https and ENV.hsts_preload
# Load balancers probe over plain http, inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if ENV.behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = ENV.trusted_origins
# No inline script anywhere: scripts come from our own static files, data from data-* attributes
# or json_script. Inline style attributes are still allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page of the desk uses, refused to every script (Permissions-Policy header).
SERVICEDESK_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

SERVICEDESK_PASSWORD_RESET_URL = ENV.password_reset_url
SERVICEDESK_DISPUTE_WINDOW_DAYS = ENV.dispute_window_days
SERVICEDESK_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# The reports' dashboard is rebuilt at most this often per scope and filters (a minute old at
# most): at 100,000 tickets a build costs about half a second (bench/README.md).
SERVICEDESK_REPORTS_CACHE_SECONDS = 60
# An `ok` event from a monitoring tool resolves the incident its problem opened.
SERVICEDESK_MONITORING_OK_RESOLVES = True
# Webhook targets: host patterns allowed (empty: any public host); an admin may allow others.
SERVICEDESK_WEBHOOK_ALLOWED_HOSTS: list[str] = []
SERVICEDESK_WEBHOOK_MAX_ATTEMPTS = 10
SERVICEDESK_WEBHOOK_RETRY_BASE_SECONDS = 30
SERVICEDESK_WEBHOOK_TIMEOUT_SECONDS = 10
# Refused whatever their size: files that run code when a colleague double-clicks them.
SERVICEDESK_ATTACHMENT_FORBIDDEN_EXTENSIONS = (
    ".exe",
    ".bat",
    ".cmd",
    ".com",
    ".js",
    ".jse",
    ".msi",
    ".ps1",
    ".vbs",
    ".vbe",
    ".scr",
    ".hta",
    ".jar",
    ".lnk",
)
# Seconds between the portal ticket page's cheap "anything new?" requests (live updates).
SERVICEDESK_PORTAL_POLL_SECONDS = 4
# SLA clocks of tickets whose location names no calendar count on this one (None found: 24x7).
SERVICEDESK_DEFAULT_CALENDAR = "State business hours"
# A live chat waits at most this long for its first answer (counted on that calendar).
SERVICEDESK_CHAT_FIRST_RESPONSE_SECONDS = 120
# The state agency's filing procedure is silent on whether a Priority 1 clock counts nights and
# weekends. We say yes: a P1 is an outage worked at once. The demo policy puts the 24x7 calendar on
# P1 rules when this is on; afterwards each rule's calendar is an admin's to change.
SERVICEDESK_P1_AROUND_THE_CLOCK = ENV.p1_around_the_clock

# Mail out: the outbox is delivered over SMTP by the task worker (see notifications/README.md).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SERVICEDESK_MAIL_DELIVERY = ENV.mail_delivery
if SERVICEDESK_MAIL_DELIVERY == "files":
    # The demo has no mail server: what would be sent is written here, one file per batch.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = ENV.data_dir / "sent-mail"
EMAIL_HOST = ENV.smtp_host
EMAIL_PORT = ENV.smtp_port
EMAIL_HOST_USER = ENV.smtp_user
EMAIL_HOST_PASSWORD = ENV.smtp_password
EMAIL_USE_TLS = ENV.smtp_starttls
EMAIL_USE_SSL = ENV.smtp_tls
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = ENV.mail_from
SERVER_EMAIL = ENV.mail_from
SERVICEDESK_BASE_URL = ENV.base_url
SERVICEDESK_MAIL_DOMAIN = ENV.mail_domain
SERVICEDESK_SMTP_RECEIVER_TLS_CERT = ENV.smtp_receiver_tls_cert
SERVICEDESK_SMTP_RECEIVER_TLS_KEY = ENV.smtp_receiver_tls_key
SERVICEDESK_SMTP_RECEIVER_REQUIRE_TLS = ENV.smtp_receiver_require_tls
# A failed delivery is retried after 1, 2, 4, … minutes; after this many attempts it is failed.
SERVICEDESK_MAIL_MAX_ATTEMPTS = 8
SERVICEDESK_MAIL_RETRY_BASE_SECONDS = 60
# Mail in (see mail/README.md).
SERVICEDESK_MAIL_UNKNOWN_SENDER = ENV.mail_unknown_sender
# More mail than this from one sender in an hour waits for an agent: it breaks auto-reply loops.
SERVICEDESK_MAIL_SENDER_HOURLY_CAP = 30
# New tickets from one sender in one thread per hour: a robot that strips our tag loops no more.
SERVICEDESK_MAIL_THREAD_HOURLY_CAP = 5
# The organisation's own mail domains (besides the desk addresses' domains): a From of these
# that our receiving server saw fail DMARC (or SPF and DKIM) is held, never posted as that person.
SERVICEDESK_MAIL_OWN_DOMAINS = ENV.mail_own_domains
SERVICEDESK_MAIL_MAX_MESSAGE_BYTES = 40 * 1024 * 1024
SERVICEDESK_MAIL_MAX_HEADER_BYTES = 64 * 1024
# Abuse limits (core/limits.py): name → (hits, seconds); (0, 0) is off.
SERVICEDESK_RATE_LIMITS = ENV.rate_limits
SERVICEDESK_TRUSTED_PROXIES = ENV.trusted_proxies
# Fernet keys for secrets at rest (core/crypto.py), newest first; the first one encrypts.
SERVICEDESK_SECRETS_KEYS = ENV.secrets_keys
# A checkout's own local key (no SECRET_KEY set): secrets at rest may use a key derived from it.
SERVICEDESK_SECRET_KEY_IS_LOCAL = ENV.secret_key_is_local

# Health and metrics (see docs/deploy.md): readiness fails when the oldest task waiting to run
# or the oldest mail waiting to go out is older than these.
SERVICEDESK_READY_TASK_BACKLOG_SECONDS = ENV.ready_task_backlog_seconds
SERVICEDESK_READY_OUTBOX_BACKLOG_SECONDS = ENV.ready_outbox_backlog_seconds
SERVICEDESK_METRICS_TOKEN = ENV.metrics_token
SERVICEDESK_METRICS_ALLOWED_ADDRESSES = ENV.metrics_allowed_addresses

LOGGING = logging_config(log_format=ENV.log_format, level=ENV.log_level)
