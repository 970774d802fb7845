import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from hemonc.core.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_time_zone,
    env_url,
    parse_cache_url,
    parse_database_url,
    parse_email_url,
)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("TRUE", True), ("1", True),
                                               ("False", False), ("0", False), ("no", False)])  # fmt: skip
def test_env_bool_reads_any_case(monkeypatch, raw, expected):
    monkeypatch.setenv("DJANGO_DEBUG", raw)
    assert env_bool("DJANGO_DEBUG", default=not expected) is expected


def test_env_bool_rejects_other_words_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", default=False)


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("DJANGO_SECURE_HSTS_SECONDS", "a year")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECURE_HSTS_SECONDS"):
        env_int("DJANGO_SECURE_HSTS_SECONDS", 0)


def test_env_str_required_names_the_variable(monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be set"):
        env_str("DJANGO_SECRET_KEY", required=True)


def test_env_time_zone_rejects_unknown_zones(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        env_time_zone("TIME_ZONE", "UTC")


def test_database_url_sqlite_uses_wal_and_a_busy_timeout():
    config = parse_database_url("DATABASE_URL", "sqlite:////srv/hemonc/db.sqlite3")
    assert config["NAME"] == "/srv/hemonc/db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] == 20


def test_database_url_postgres_reads_every_part():
    config = parse_database_url(
        "DATABASE_URL", "postgres://hemonc:s%40cret@db.internal:6432/network?sslmode=require"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "hemonc", "s@cret", "db.internal", "6432",
    )  # fmt: skip
    assert config["NAME"] == "network"
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://host/", "sqlite://"])
def test_database_url_rejects_bad_values(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        parse_database_url("DATABASE_URL", url)


def test_email_url_schemes_choose_tls_mode():
    plain = parse_email_url("EMAIL_URL", "smtp://127.0.0.1:1025", file_path=None)
    starttls = parse_email_url("EMAIL_URL", "smtp+tls://u:p%2Fw@mail.example.org", file_path=None)
    implicit = parse_email_url("EMAIL_URL", "smtps://u:pw@mail.example.org", file_path=None)
    plain, starttls, implicit = plain["OPTIONS"], starttls["OPTIONS"], implicit["OPTIONS"]
    assert (plain["host"], plain["port"], plain["use_tls"]) == ("127.0.0.1", 1025, False)
    assert (starttls["port"], starttls["use_tls"], starttls["password"]) == (587, True, "p/w")
    assert (implicit["port"], implicit["use_ssl"]) == (465, True)


def test_email_url_defaults_to_files_in_debug(tmp_path):
    config = parse_email_url("EMAIL_URL", None, file_path=tmp_path)
    assert config["BACKEND"].endswith("filebased.EmailBackend")
    assert config["OPTIONS"] == {"file_path": str(tmp_path)}


def test_email_url_defaults_to_the_local_mail_server_in_production(tmp_path):
    config = parse_email_url("EMAIL_URL", None, file_path=tmp_path, debug=False)
    assert config["BACKEND"].endswith("smtp.EmailBackend")
    assert (config["OPTIONS"]["host"], config["OPTIONS"]["port"]) == ("localhost", 25)


def test_email_url_rejects_unknown_schemes():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url("EMAIL_URL", "imap://mail.example.org", file_path=None)


def test_cache_url_redis_and_default():
    assert parse_cache_url("CACHE_URL", None)["BACKEND"].endswith("LocMemCache")
    assert parse_cache_url("CACHE_URL", "db://")["BACKEND"].endswith("DatabaseCache")
    assert parse_cache_url("CACHE_URL", "redis://127.0.0.1:6379/1")["BACKEND"].endswith(
        "RedisCache"
    )
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        parse_cache_url("CACHE_URL", "memcached://127.0.0.1")


def test_env_str_and_list_read_the_value_trimmed(monkeypatch):
    monkeypatch.setenv("SITE_NAME", "  HemOnc Network ")
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example.org, ,b.example.org ")
    assert env_str("SITE_NAME", "x") == "HemOnc Network"
    assert env_list("ALLOWED_HOSTS", []) == ["a.example.org", "b.example.org"]
    monkeypatch.setenv("ALLOWED_HOSTS", "   ")
    assert env_list("ALLOWED_HOSTS", ["localhost"]) == ["localhost"]


def test_env_url_rejects_what_is_no_web_address_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://network.example.org/")
    assert env_url("SITE_URL", "http://127.0.0.1:8000") == "https://network.example.org"
    monkeypatch.setenv("SITE_URL", "network.example.org")
    with pytest.raises(ImproperlyConfigured, match=r"SITE_URL='network\.example\.org' is not an"):
        env_url("SITE_URL", "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("url", "message"),
    [("smtp://:25", "names no host"), ("smtp://mail.example.org:port", "has a bad port")],
)
def test_email_url_rejects_a_missing_host_or_a_bad_port(url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(f"EMAIL_URL='{url}' {message}")):
        parse_email_url("EMAIL_URL", url, file_path=None)


def test_email_url_console_prints_mails():
    config = parse_email_url("EMAIL_URL", "console://", file_path=None)
    assert config == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_cache_url_dummy_and_locmem():
    assert parse_cache_url("CACHE_URL", "dummy://")["BACKEND"].endswith("DummyCache")
    assert parse_cache_url("CACHE_URL", "locmem://")["BACKEND"].endswith("LocMemCache")


def test_env_networks_rejects_a_host_name_naming_it(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    assert env_networks("TRUSTED_PROXIES", []) == ["10.0.0.0/8", "192.0.2.10"]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(
        ImproperlyConfigured, match=r"TRUSTED_PROXIES: 'proxy\.internal' is not an IP"
    ):
        env_networks("TRUSTED_PROXIES", [])
