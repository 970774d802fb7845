"""A stand-in Mastodon instance: the REST endpoints the adapter uses, answering as Mastodon's
API documentation says (errors as `{"error": TEXT}`).

    from tests.standins import mastodon
    with mastodon.serve(token="token", max_characters=500) as (url, state):
        ...  # Connection(platform="mastodon", handle="hemonc@" + host, service=url, secret="token")
        state.statuses  # the created statuses, in order

Endpoints: GET /api/v2/instance (configuration.statuses.max_characters), POST /api/v2/media
(202 while processing when `state.media_processing` is on) and GET /api/v1/media/:id,
POST /api/v1/statuses honouring the Idempotency-Key header (the same key from the same token
answers the status it created, until `state.forget_idempotency_keys()`, which the instance does
after an hour), GET /api/v1/accounts/verify_credentials, GET /api/v1/accounts/:id/statuses
(newest first) and GET /api/v1/statuses/:id/source. A status longer than the instance's limit (every URL counts 23,
a mention its user part) is refused with 422.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.standins import Answer, Failure, Request, Route, StandinApp, StandinState, run

POST_PATH = "/api/v1/statuses"
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")


def length(text: str) -> int:
    """Characters as Mastodon counts them: URLs 23, `@user@domain` as `@user`."""
    text = _URL.sub("x" * 23, text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    return len(text)


class MastodonState(StandinState):
    post_path = POST_PATH

    def __init__(self, token: str, max_characters: int, domain: str) -> None:
        super().__init__()
        self.tokens = {token}
        self.max_characters = max_characters
        self.domain = domain
        self.username = "hemonc"
        self.statuses: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.media_processing = False
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}
        self.account_id = "109000000000000001"
        self._ids = itertools.count(110_000_000_000_000_001)

    @property
    def posts(self) -> list[dict[str, Any]]:
        return list(self.statuses)

    def forget_idempotency_keys(self) -> None:
        """What the instance does an hour after a key was used."""
        with self.lock:
            self.idempotency.clear()

    def next_id(self) -> str:
        return str(next(self._ids))


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, {"error": message}, headers or {})


class MastodonApp(StandinApp):
    state: MastodonState

    def route(self, request: Request) -> Route | None:
        if request.method == "GET" and request.path.startswith("/api/v1/media/"):
            return self.get_media
        if request.method == "GET" and re.fullmatch(r"/api/v1/accounts/\d+/statuses", request.path):
            return self.account_statuses
        if request.method == "GET" and re.fullmatch(r"/api/v1/statuses/\d+/source", request.path):
            return self.status_source
        routes: dict[tuple[str, str], Route] = {
            ("GET", "/api/v2/instance"): self.instance,
            ("GET", "/api/v1/accounts/verify_credentials"): self.verify_credentials,
            ("POST", "/api/v2/media"): self.upload_media,
            ("POST", POST_PATH): self.create_status,
        }
        return routes.get((request.method, request.path))

    def failure_answer(self, failure: Failure, request: Request) -> Answer:
        if failure.mode == "rate_limit":
            reset = datetime.now(UTC) + timedelta(seconds=float(failure.options.get("reset", 30)))
            return _error(
                429,
                "Too many requests",
                {
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z"
                    ),
                },
            )
        if failure.mode == "expired":
            with self.state.lock:
                self.state.tokens.discard(request.bearer)
            return _error(401, "The access token is invalid")
        return _error(500, "We're sorry, but something went wrong on our end.")

    def _auth(self, request: Request) -> Answer | None:
        with self.state.lock:
            if request.bearer not in self.state.tokens:
                return _error(401, "The access token is invalid")
        return None

    def instance(self, request: Request) -> Answer:
        return Answer(
            200,
            {
                "domain": self.state.domain,
                "title": "Stand-in instance",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": self.state.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": [
                            "image/jpeg",
                            "image/png",
                            "image/gif",
                            "image/webp",
                        ],
                        "image_size_limit": 16777216,
                    },
                },
            },
        )

    def upload_media(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        fields = request.multipart()
        if "file" not in fields:
            return _error(422, "Validation failed: File can't be blank")
        mime, data = fields["file"]
        description = fields.get("description", ("", b""))[1].decode()
        if len(description) > 1500:
            return _error(
                422, "Validation failed: Description is too long (maximum is 1500 characters)"
            )
        with self.state.lock:
            media_id = self.state.next_id()
            processing = self.state.media_processing
            media = {
                "id": media_id,
                "type": "image",
                "url": None if processing else f"https://{self.state.domain}/media/{media_id}",
                "preview_url": f"https://{self.state.domain}/media/{media_id}/small",
                "description": description,
                "mime": mime,
                "size": len(data),
                "checks": 0,
            }
            self.state.media[media_id] = media
        return Answer(202 if processing else 200, _public_media(media))

    def get_media(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        media_id = request.path.rsplit("/", 1)[-1]
        with self.state.lock:
            media = self.state.media.get(media_id)
            if media is None:
                return _error(404, "Record not found")
            media["checks"] += 1
            if media["url"] is None and media["checks"] >= 2:
                media["url"] = f"https://{self.state.domain}/media/{media_id}"
        return Answer(200 if media["url"] else 206, _public_media(media))

    def create_status(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        body = request.json() if "json" in request.headers.get("Content-Type", "") else None
        if body is None:
            form = request.form()
            body = {k: (v if k.endswith("[]") else v[-1]) for k, v in form.items()}
            body["media_ids"] = form.get("media_ids[]", [])
        key = request.headers.get("Idempotency-Key")
        with self.state.lock:
            if key and (request.bearer, key) in self.state.idempotency:
                return Answer(200, _public_status(self.state.idempotency[(request.bearer, key)]))
            text = str(body.get("status") or "")
            media_ids = [str(m) for m in body.get("media_ids") or []]
            if not text.strip() and not media_ids:
                return _error(422, "Validation failed: Text can't be blank")
            if length(text) > self.state.max_characters:
                return _error(
                    422,
                    f"Validation failed: Text character limit of {self.state.max_characters} exceeded",
                )
            if len(media_ids) > 4:
                return _error(422, "Validation failed: Media attachments must not exceed 4")
            attachments = []
            for media_id in media_ids:
                media = self.state.media.get(media_id)
                if media is None:
                    return _error(422, "Validation failed: Media attachments are invalid")
                if media["url"] is None:
                    return _error(
                        422,
                        "Cannot attach files that have not finished processing. Try again in a moment!",
                    )
                attachments.append(_public_media(media))
            reply_to = body.get("in_reply_to_id")
            if reply_to and not any(s["id"] == str(reply_to) for s in self.state.statuses):
                return _error(404, "Record not found")
            visibility = body.get("visibility") or "public"
            if visibility not in {"public", "unlisted", "private", "direct"}:
                return _error(422, "Validation failed: Visibility is not included in the list")
            status_id = self.state.next_id()
            status = {
                "id": status_id,
                "created_at": datetime.now(UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "in_reply_to_id": str(reply_to) if reply_to else None,
                "visibility": visibility,
                "language": body.get("language"),
                "uri": f"https://{self.state.domain}/users/{self.state.username}/statuses/{status_id}",
                "url": f"https://{self.state.domain}/@{self.state.username}/{status_id}",
                "content": "<p>" + html.escape(text).replace("\n", "<br />") + "</p>",
                "text": text,  # kept here; the API gives it only through GET .../source
                "media_attachments": attachments,
                "account": {
                    "id": "1",
                    "username": self.state.username,
                    "acct": self.state.username,
                },
                "idempotency_key": key,
            }
            self.state.statuses.append(status)
            if key:
                self.state.idempotency[(request.bearer, key)] = status
        return Answer(200, status)

    def verify_credentials(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        return Answer(
            200,
            {
                "id": self.state.account_id,
                "username": self.state.username,
                "acct": self.state.username,
                "source": {"privacy": "public", "language": "en"},
            },
        )

    def account_statuses(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        limit = min(max(int(request.query.get("limit", 20)), 1), 40)
        with self.state.lock:
            if request.path.split("/")[4] != self.state.account_id:
                return _error(404, "Record not found")
            newest = [_public_status(s) for s in reversed(self.state.statuses)][:limit]
        return Answer(200, newest)

    def status_source(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        status_id = request.path.split("/")[4]
        with self.state.lock:
            status = next((s for s in self.state.statuses if s["id"] == status_id), None)
        if status is None:
            return _error(404, "Record not found")
        return Answer(200, {"id": status_id, "text": status["text"], "spoiler_text": ""})


def _public_status(status: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in status.items() if k not in {"text", "idempotency_key"}}


def _public_media(media: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in media.items() if k not in {"checks", "mime", "size"}}


@contextmanager
def serve(
    *,
    port: int = 0,
    token: str = "token",  # noqa: S107
    max_characters: int = 500,
    domain: str = "mastodon.example",
) -> Iterator[tuple[str, MastodonState]]:
    """A running stand-in instance: yields its base URL and its state."""
    state = MastodonState(token, max_characters, domain)
    with run(MastodonApp(state), port) as url:
        yield url, state
