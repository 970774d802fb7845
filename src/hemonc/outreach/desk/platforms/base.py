"""What every cross-posting adapter shares: the connection to an account, the part of a post
to publish, the reference the platform gives back, the two kinds of failure, and HTTP with
timeouts everywhere.

An adapter never posts twice on its own: it does not retry a request whose answer was lost.
It raises `TemporaryError` and the caller first asks `Adapter.find(part)` whether the platform
stored the part before it tries again. Expired sessions and tokens are refreshed inside the
adapter (the request that was refused is sent once more: the platform stored nothing).
"""

from __future__ import annotations

import email.utils
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import requests

# Seconds to connect and to wait for an answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


@dataclass
class Connection:
    """An account on a platform as the adapter needs it.

    `service` is the base address: a Bluesky PDS, a Mastodon instance, X's API address.
    `secret` is the app password (Bluesky), the access token (Mastodon) or, for X, the OAuth
    2.0 refresh token (or an access token alone, which cannot be refreshed). `state` is what the
    adapter keeps between calls (sessions, rotated tokens, ids); the caller stores it after each
    call, encrypted, and hands it back next time. `client_id`/`client_secret` are X's OAuth 2.0
    client credentials, used to refresh its tokens.
    """

    platform: str
    handle: str
    service: str
    secret: str
    state: dict[str, Any] = field(default_factory=dict)
    client_id: str = ""
    client_secret: str = ""
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str
    alt: str


@dataclass(frozen=True)
class Ref:
    """What the platform gave back: its id (Bluesky: the at:// URI), the web address, and for
    Bluesky the record's CID (replies need both)."""

    id: str
    url: str
    cid: str = ""


@dataclass
class Part:
    """One post of a thread on one account.

    `key` is the idempotency key, chosen and stored before the first attempt (one per post,
    account and thread position; `new_key()` makes one). `root` and `parent` are the thread's
    first post and the post this one answers (both None for the first).
    """

    text: str
    key: str
    images: list[Image] = field(default_factory=list)
    langs: list[str] = field(default_factory=lambda: ["en"])
    root: Ref | None = None
    parent: Ref | None = None
    visibility: str = "public"


class PublishError(Exception):
    """The platform did not take the part; `message` is fit to show an organizer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryError(PublishError):
    """Worth trying again later: a timeout, a lost answer, a 5xx, a rate limit.

    `retry_after` is the number of seconds the platform asked to wait (from its rate-limit
    reset time), or None when it said nothing. When the answer was lost the part may have been
    stored: ask `Adapter.find` before trying again.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(PublishError):
    """Trying again will not help: the platform's own message (too long, bad credentials...)."""


class Adapter(Protocol):
    connection: Connection

    def publish(self, part: Part) -> Ref:
        """Store the part on the platform and return its reference."""
        ...

    def find(self, part: Part) -> Ref | None:
        """The part's reference if the platform already stored it (an earlier attempt whose
        answer was lost), else None."""
        ...

    def limit(self) -> int:
        """The longest text one post may have, as the platform counts it."""
        ...


def adapter_for(connection: Connection) -> Adapter:
    from hemonc.outreach.desk.platforms import bluesky, mastodon, x

    adapters: dict[str, type] = {
        "bluesky": bluesky.BlueskyAdapter,
        "mastodon": mastodon.MastodonAdapter,
        "x": x.XAdapter,
    }
    problem = getattr(connection.secret, "problem", "")  # core.secrets.UnreadableSecret
    if problem:
        raise PermanentError(problem)
    try:
        cls = adapters[connection.platform]
    except KeyError:
        raise PermanentError(f"No adapter for the platform {connection.platform!r}.") from None
    adapter: Adapter = cls(connection)
    return adapter


# -- Keys ---------------------------------------------------------------------------------

_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_last_tid = 0
_tid_lock = threading.Lock()


def _tid_from_int(value: int) -> str:
    out = []
    for _ in range(13):
        out.append(_B32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(out))


def new_key() -> str:
    """A new idempotency key: an AT Protocol TID (13 characters, microseconds since 1970 and a
    random clock id), so it serves as the Bluesky record key as it is, and sorts by time."""
    global _last_tid
    with _tid_lock:
        micros = max(time.time_ns() // 1000, _last_tid + 1)
        _last_tid = micros
    return _tid_from_int((micros << 10) | secrets.randbelow(1024))


def is_tid(value: str) -> bool:
    return (
        len(value) == 13
        and value[0] in "234567abcdefghij"
        and all(c in _B32_SORTABLE for c in value)
    )


# -- HTTP ---------------------------------------------------------------------------------

_local = threading.local()


def http_session() -> requests.Session:
    """One keep-alive session per thread (requests' sessions are not thread-safe). The
    session never retries on its own: a retried POST could post twice."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = "hemonc-network publishing desk"
        _local.session = session
    return session


def send(connection: Connection, method: str, url: str, **kwargs: Any) -> requests.Response:
    """Send one request; a timeout or a broken connection is a TemporaryError."""
    try:
        return http_session().request(method, url, timeout=connection.timeout, **kwargs)
    except requests.Timeout:
        raise TemporaryError(
            f"{connection.platform} did not answer in time; the post may have been stored."
        ) from None
    except requests.ConnectionError as exc:
        raise TemporaryError(
            f"The connection to {connection.platform} failed ({_reason(exc)}); "
            "the post may have been stored."
        ) from None


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text[:200] if text else type(exc).__name__


def retry_after(response: requests.Response, *, now: float | None = None) -> float | None:
    """Seconds to wait, from the answer's rate-limit headers: `Retry-After` (seconds or an HTTP
    date), Bluesky's `ratelimit-reset` and X's `x-rate-limit-reset` (Unix seconds), Mastodon's
    `X-RateLimit-Reset` (an ISO 8601 time)."""
    now = time.time() if now is None else now
    headers = response.headers
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            pass
    for name in ("ratelimit-reset", "x-rate-limit-reset", "X-RateLimit-Reset"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            reset = float(value)
        except ValueError:
            try:
                reset = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
        return max(0.0, reset - now)
    return None


def json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def server_trouble(connection: Connection, response: requests.Response, message: str = "") -> None:
    """Raise TemporaryError for a rate limit (429) or a server error (5xx)."""
    if response.status_code == 429:
        wait = retry_after(response)
        raise TemporaryError(
            message or f"{connection.platform} limits how often we may post; try again later.",
            retry_after=wait,
        )
    if response.status_code >= 500:
        raise TemporaryError(
            message
            or f"{connection.platform} answered with a server error "
            f"({response.status_code}); the post may have been stored.",
            retry_after=retry_after(response),
        )
