"""Typed readers for configuration from environment variables; a bad value stops start-up."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
DATABASE_CACHE_TABLE = "hemonc_cache"
FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required or default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true/false or 1/0.")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return Path(value).expanduser().resolve() if value else default


def env_url(name: str, default: str) -> str:
    value = _raw(name) or default
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an http(s) URL.")
    return value.rstrip("/")


def env_time_zone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not an IANA time zone.") from None
    return value


def parse_database_url(name: str, url: str) -> dict[str, Any]:
    """DATABASE_URL: sqlite:///relative.db, sqlite:////absolute.db, postgres://user:pass@host/db."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ImproperlyConfigured(f"{name}={url!r} names no SQLite file.")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE avoids
                # "database is locked" on upgrade from read to write transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA mmap_size=134217728;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Opening a connection runs the PRAGMAs above; keep it for a while.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(f"{name}={url!r} names no database.")
        options: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        conn_max_age = int(options.pop("conn_max_age", 60))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{name}={url!r}: the scheme must be sqlite:// or postgres://, not {parts.scheme!r}."
    )


def parse_email_url(
    name: str, url: str | None, *, file_path: Path | None, debug: bool = True
) -> dict[str, Any]:
    """EMAIL_URL -> a MAILERS entry.

    smtp://host:port, smtp+tls://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465
    (implicit TLS); console:// prints mail. Unset: in debug each message is written to a file,
    otherwise mail goes to the machine's own mail server, smtp://localhost:25.
    """
    if url is None:
        if not debug:
            url = "smtp://localhost:25"
        else:
            return {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(file_path)},
            }
    parts = urlsplit(url)
    schemes = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name}={url!r}: the scheme must be smtp://, smtp+tls:// or smtps://."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name}={url!r} names no host.")
    try:
        port = parts.port or schemes[parts.scheme]
    except ValueError:
        raise ImproperlyConfigured(f"{name}={url!r} has a bad port.") from None
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": parts.scheme == "smtp+tls",
            "use_ssl": parts.scheme == "smtps",
            "timeout": 30,
        },
    }


def parse_cache_url(name: str, url: str | None) -> dict[str, Any]:
    """CACHE_URL: db:// (the database), redis://host:port/db, rediss://..., locmem://, dummy://.

    None is the local memory of one process (the pages' cache when nothing is shared).
    """
    if url is not None and url.startswith("db://"):
        # A table in the default database (created by `hemonc migrate`): every process that
        # uses the database shares it. Counters must not be culled early: room for many.
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if url is None or url.startswith("locmem://"):
        # Room for the directory's searches and member cards (Django's default keeps 300).
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "hemonc",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    parts = urlsplit(url)
    if parts.scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "hemonc",
        }
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"{name}={url!r}: the scheme must be db://, redis://, rediss://, locmem:// or dummy://."
    )


def env_networks(name: str, default: list[str]) -> list[str]:
    """Comma-separated IP addresses or networks (CIDR), e.g. `10.0.0.0/8,192.0.2.10`."""
    values = env_list(name, default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not an IP address or network (like 10.0.0.0/8)."
            ) from None
    return values
