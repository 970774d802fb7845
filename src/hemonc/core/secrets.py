"""Secrets kept in the database (the app passwords and tokens of the network's social
accounts), encrypted with a key from the environment.

`HEMONC_SECRETS_KEY` is any long random string (`python -c "import secrets;
print(secrets.token_urlsafe(32))"` makes one). A comma-separated list rotates
keys: the first encrypts, every one decrypts, so old values still read while
`rotate(value)` re-encrypts them with the first. Each key is stretched with HKDF-SHA256 into
a Fernet key (AES-128-CBC with HMAC-SHA256, authenticated: a changed value does not decrypt).

With debug on and no key, a development key is derived from the secret key, with a warning in
the log; with debug off and no key, encrypting or decrypting stops with a message naming the
variable, and `hemonc check --deploy` reports it (hemonc.E002).
"""

from __future__ import annotations

import base64
import functools
import logging
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

ENV = "HEMONC_SECRETS_KEY"
NO_KEY_MESSAGE = f"{ENV} must be set to encrypt and decrypt the social accounts' secrets."
MIN_KEY_LENGTH = 32
_INFO = b"hemonc-network secrets v1"

logger = logging.getLogger(__name__)


class SecretError(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


def configured_keys() -> tuple[str, ...]:
    raw = os.environ.get(ENV, "")
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def _derive(secret: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _keys() -> tuple[str, ...]:
    keys = configured_keys()
    if keys:
        return keys
    if settings.DEBUG and settings.SECRET_KEY:
        if not getattr(_keys, "warned", False):
            logger.warning(
                "%s is not set: secrets are encrypted with a development key derived from the "
                "secret key. Set %s in production.",
                ENV,
                ENV,
            )
            _keys.warned = True  # type: ignore[attr-defined]
        return (f"development:{settings.SECRET_KEY}",)
    raise ImproperlyConfigured(NO_KEY_MESSAGE)


def encrypt(plaintext: str) -> str:
    """The text encrypted with the first key: URL-safe ASCII, different every time."""
    return _fernet(_keys()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of `encrypt`'s result, with any of the keys."""
    try:
        return _fernet(_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise SecretError(
            f"A stored secret cannot be decrypted with {ENV}: the key changed or was lost. "
            "Put the old key back (after the new one, comma-separated), or enter the secret again."
        ) from None


def rotate(token: str) -> str:
    """The same secret encrypted with the first key (after adding a new key in front)."""
    try:
        return _fernet(_keys()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise SecretError(f"A stored secret cannot be decrypted with {ENV}.") from None


class UnreadableSecret(str):
    """A stored secret that cannot be decrypted (the key is missing or changed): it reads as
    empty, says why in `problem`, and is saved back unchanged, so a page that lists accounts
    still works and the secret comes back once the right key is set."""

    ciphertext: str
    problem: str

    def __new__(cls, ciphertext: str, problem: str) -> UnreadableSecret:
        value = super().__new__(cls, "")
        value.ciphertext = ciphertext
        value.problem = problem
        return value


class EncryptedTextField(models.TextField):
    """A text column that stores the ciphertext and gives the plaintext. An empty value is
    stored empty (nothing to hide); it cannot be searched or ordered by. A value that cannot
    be decrypted reads as an `UnreadableSecret`."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except (SecretError, ImproperlyConfigured) as exc:
            logger.error("%s.%s: %s", self.model.__name__, self.name, exc)
            return UnreadableSecret(value, str(exc))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, UnreadableSecret):
            return value.ciphertext
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
