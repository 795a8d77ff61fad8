"""Secrets at rest: integration passwords and signing secrets, encrypted in the database.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under keys from the environment
(`SERVICEDESK_SECRETS_KEYS` or a file named by `SERVICEDESK_SECRETS_KEYS_FILE`), newest first.
The newest key encrypts; every listed key decrypts (`MultiFernet`), so a key is rotated by putting
the new one first, running `servicedesk rotate_secrets`, then dropping the old one (docs/deploy.md).

Without a configured key, a developer's checkout or the demo (running on its local `SECRET_KEY`,
`var/secret_key`) encrypts with a key derived from that local key; a production installation
(`SECRET_KEY` or `SECRET_KEY_FILE` set) refuses, clearly, rather than pretend. Values written
under the local key stay readable after a real key is set, until `rotate_secrets` re-encrypts
them.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# What marks a stored value as encrypted, so clear text from before encryption is recognised.
MARK = "fernet:"
MISSING_KEY = (
    "SERVICEDESK_SECRETS_KEYS (or SERVICEDESK_SECRETS_KEYS_FILE) is not set: mailbox passwords "
    "and webhook secrets cannot be encrypted. Generate a key with "
    "`servicedesk rotate_secrets --generate-key` and set it (see docs/deploy.md)."
)


def demo_key() -> str:
    """The key a checkout without configured keys uses, derived from its local `SECRET_KEY`."""
    digest = hashlib.sha256(f"servicedesk-secrets:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def is_production() -> bool:
    """`SECRET_KEY` set by the operator means a real installation, where a derived key must not
    do."""
    return not settings.SERVICEDESK_SECRET_KEY_IS_LOCAL


def configured_keys() -> list[str]:
    keys = list(settings.SERVICEDESK_SECRETS_KEYS)
    if not keys and is_production():
        raise ImproperlyConfigured(MISSING_KEY)
    return keys or [demo_key()]


def _cipher() -> MultiFernet:
    keys = configured_keys()
    try:
        # The demo key always decrypts (never encrypts, once a real key is first), so that values
        # written before the installation got its own key can still be read and rotated.
        return MultiFernet([Fernet(key) for key in dict.fromkeys([*keys, demo_key()])])
    except ValueError as bad:
        raise ImproperlyConfigured(
            "A key in SERVICEDESK_SECRETS_KEYS is not a Fernet key (32 url-safe base64 bytes)."
        ) from bad


def encrypt(plaintext: str) -> str:
    return MARK + _cipher().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    """The clear value of a stored one; clear text from before encryption is returned as is."""
    if not stored.startswith(MARK):
        return stored
    try:
        return _cipher().decrypt(stored[len(MARK) :].encode()).decode()
    except InvalidToken as unreadable:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key in SERVICEDESK_SECRETS_KEYS: "
            "keep the old key listed (after the new one) until `servicedesk rotate_secrets` ran."
        ) from unreadable


def generate_key() -> str:
    return Fernet.generate_key().decode()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text the application reads in clear and the database holds encrypted.

    It cannot be searched or filtered on (each encryption differs); admins never see it again
    (forms show it write-only)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if value is None or value == "" else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or str(value).startswith(MARK):
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) holding an encrypted value, for rotation."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]


def secrets_reencrypt() -> int:
    """Re-encrypt every stored secret with the newest key (and clear text left over, if any)."""
    count = 0
    for model, name in encrypted_fields():
        for pk, value in model._default_manager.exclude(**{name: ""}).values_list("pk", name):
            if value is None:
                continue
            model._default_manager.filter(pk=pk).update(**{name: encrypt(value)})
            count += 1
    return count


def encrypt_existing_values(app_label: str, model_name: str, field: str) -> Any:
    """RunPython operations (forward, backward) for a migration that turns a clear-text column
    into an `EncryptedTextField`: forward encrypts what is there, backward writes it in clear."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.exclude(**{field: ""}).values_list("pk", field):
            model.objects.filter(pk=pk).update(**{field: value})  # get_prep_value encrypts

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(model._meta.get_field(field).column)
        rows = list(model.objects.exclude(**{field: ""}).values_list("pk", field))
        with schema_editor.connection.cursor() as cursor:
            for pk, value in rows:
                cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])

    return forward, backward
