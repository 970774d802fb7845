"""Secrets stored encrypted with HEMONC_SECRETS_KEY: round trips, key rotation, a lost key,
the development key, and the deploy check."""

import logging
from types import SimpleNamespace

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from hemonc.core import secrets
from hemonc.core.secrets import (
    EncryptedTextField,
    SecretError,
    UnreadableSecret,
    decrypt,
    encrypt,
    rotate,
)

KEY = "a-long-random-secrets-key-for-these-tests-0123456789"
OTHER = "another-long-random-secrets-key-for-these-tests-987"


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("HEMONC_SECRETS_KEY", KEY)
    return KEY


HOSTILE = [
    "app-pass-1234-abcd",
    "",
    "ünïcødé 🩸 <script>alert(1)</script>\n\"quotes\" & 'apostrophes'",
    "x" * 20_000,
]


@pytest.mark.parametrize("plaintext", HOSTILE)
def test_encrypt_then_decrypt_gives_the_text_back(key, plaintext):
    token = encrypt(plaintext)

    assert decrypt(token) == plaintext
    assert token.isascii()
    if plaintext:
        assert plaintext not in token


def test_the_same_secret_encrypts_differently_each_time(key):
    assert encrypt("token") != encrypt("token")


def test_a_changed_ciphertext_does_not_decrypt(key):
    token = encrypt("token")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]

    with pytest.raises(SecretError, match="cannot be decrypted with HEMONC_SECRETS_KEY"):
        decrypt(tampered)


def test_a_new_key_in_front_still_reads_old_values_and_rotate_moves_them(monkeypatch):
    monkeypatch.setenv("HEMONC_SECRETS_KEY", OTHER)
    old = encrypt("refresh-token")

    monkeypatch.setenv("HEMONC_SECRETS_KEY", f"{KEY}, {OTHER}")
    assert decrypt(old) == "refresh-token"
    new = rotate(old)

    monkeypatch.setenv("HEMONC_SECRETS_KEY", KEY)  # the old key retired
    assert decrypt(new) == "refresh-token"
    with pytest.raises(SecretError, match="the key changed or was lost"):
        decrypt(old)


def test_without_a_key_in_production_nothing_is_encrypted(monkeypatch, settings):
    monkeypatch.delenv("HEMONC_SECRETS_KEY", raising=False)
    settings.DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="HEMONC_SECRETS_KEY must be set"):
        encrypt("token")
    with pytest.raises(ImproperlyConfigured, match="HEMONC_SECRETS_KEY must be set"):
        decrypt("gAAAA")


def test_in_debug_a_development_key_from_the_secret_key_is_used_with_a_warning(
    monkeypatch, settings, caplog
):
    monkeypatch.delenv("HEMONC_SECRETS_KEY", raising=False)
    monkeypatch.setattr(secrets._keys, "warned", False, raising=False)
    settings.DEBUG = True
    settings.SECRET_KEY = "development-secret-key-0123456789"

    with caplog.at_level(logging.WARNING, logger="hemonc.core.secrets"):
        token = encrypt("token")

    assert decrypt(token) == "token"
    assert "HEMONC_SECRETS_KEY is not set" in caplog.text
    settings.SECRET_KEY = "another-development-secret-key-000"
    with pytest.raises(SecretError):
        decrypt(token)


def _deploy_messages() -> dict[str, str]:
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    return {message.id: message.msg for message in found}


@pytest.mark.django_db
def test_check_deploy_reports_a_missing_or_short_key(monkeypatch):
    monkeypatch.delenv("HEMONC_SECRETS_KEY", raising=False)
    assert "HEMONC_SECRETS_KEY must be set" in _deploy_messages()["hemonc.E002"]

    monkeypatch.setenv("HEMONC_SECRETS_KEY", "short")
    messages = _deploy_messages()
    assert "hemonc.E002" not in messages
    assert "shorter than 32 characters" in messages["hemonc.W003"]

    monkeypatch.setenv("HEMONC_SECRETS_KEY", KEY)
    assert not {"hemonc.E002", "hemonc.W003"} & set(_deploy_messages())


@pytest.mark.django_db
def test_encrypted_field_stores_ciphertext_and_reads_plaintext(key):
    field = EncryptedTextField()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE secret_probe (value text)")
        try:
            for plaintext in HOSTILE:
                stored = field.get_db_prep_save(plaintext, connection)
                cursor.execute("INSERT INTO secret_probe (value) VALUES (%s)", [stored])
            cursor.execute("SELECT value FROM secret_probe")
            raw = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("DROP TABLE secret_probe")

    assert "app-pass-1234-abcd" not in "".join(raw)
    assert raw[1] == ""  # nothing to hide in an empty value
    assert [field.from_db_value(value, None, connection) for value in raw] == HOSTILE
    assert field.from_db_value(None, None, connection) is None


@pytest.mark.parametrize("lost", ["changed", "missing"])
def test_a_secret_the_key_cannot_read_is_empty_and_saved_back_unchanged(
    monkeypatch, settings, lost
):
    monkeypatch.setenv("HEMONC_SECRETS_KEY", KEY)
    field = EncryptedTextField()
    field.set_attributes_from_name("secret")
    field.model = SimpleNamespace(__name__="SocialAccount")  # type: ignore[assignment]
    stored = field.get_db_prep_save("app-pass", connection)
    if lost == "changed":
        monkeypatch.setenv("HEMONC_SECRETS_KEY", OTHER)
    else:
        monkeypatch.delenv("HEMONC_SECRETS_KEY")
        settings.DEBUG = False

    value = field.from_db_value(stored, None, connection)

    assert isinstance(value, UnreadableSecret) and value == ""
    assert "HEMONC_SECRETS_KEY" in value.problem
    assert field.get_db_prep_save(value, connection) == stored  # nothing lost on save
    monkeypatch.setenv("HEMONC_SECRETS_KEY", KEY)
    assert field.from_db_value(stored, None, connection) == "app-pass"  # the key back: readable
