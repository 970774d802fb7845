"""Mastodon through its REST API on the account's instance, with the account's access token.

- Posts: `POST /api/v1/statuses` (`status`, `visibility`, `language`, `in_reply_to_id` for a
  thread's replies, `media_ids`) with the `Idempotency-Key` header set to the part's key: the
  instance answers a repeated request with the status it already created (it keeps keys for an
  hour), so sending a part again after a lost answer never posts it twice; after that hour
  `find` looks for the part among the account's recent statuses.
- Media: `POST /api/v2/media` with the file and its `description` (the alt text); an answer
  202 means still processing, and `GET /api/v1/media/:id` is asked until it is ready.
- The instance's own text limit: `GET /api/v2/instance`, `configuration.statuses.max_characters`.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from hemonc.outreach.desk.platforms.base import (
    Connection,
    Image,
    Part,
    PermanentError,
    Ref,
    TemporaryError,
    json_or_empty,
    send,
    server_trouble,
)

DEFAULT_LIMIT = 500
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 16 * 1024 * 1024  # the default image_size_limit of an instance
LIMIT_TTL = 24 * 3600.0  # seconds the instance's limit is remembered
MEDIA_WAIT = 30.0  # seconds to wait for media processing
VISIBILITIES = {"public", "unlisted", "private", "direct"}
RECENT = 40  # statuses `find` looks through (the most the API gives at once)


class MastodonAdapter:
    max_images = MAX_IMAGES
    max_image_bytes = MAX_IMAGE_BYTES

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.base = connection.service.rstrip("/")

    @property
    def state(self) -> dict[str, Any]:
        return self.connection.state

    # -- the adapter's interface -----------------------------------------------------------

    def limit(self) -> int:
        """The instance's own limit when it reports one (remembered for a day), else 500."""
        checked = float(self.state.get("limit_checked_at") or 0)
        if self.state.get("max_characters") and time.time() - checked < LIMIT_TTL:
            return int(self.state["max_characters"])
        try:
            response = send(self.connection, "GET", f"{self.base}/api/v2/instance")
        except TemporaryError:
            return int(self.state.get("max_characters") or DEFAULT_LIMIT)
        limit = DEFAULT_LIMIT
        if response.status_code == 200:
            config = json_or_empty(response).get("configuration") or {}
            statuses = config.get("statuses") or {}
            if isinstance(statuses.get("max_characters"), int) and statuses["max_characters"] > 0:
                limit = statuses["max_characters"]
        self.state["max_characters"] = limit
        self.state["limit_checked_at"] = time.time()
        return limit

    def publish(self, part: Part) -> Ref:
        if len(part.images) > MAX_IMAGES:
            raise PermanentError(f"Mastodon takes at most {MAX_IMAGES} images in a post.")
        for image in part.images:
            if len(image.data) > MAX_IMAGE_BYTES:
                raise PermanentError(
                    f"Mastodon takes images of at most {MAX_IMAGE_BYTES:,} bytes; "
                    f"this one has {len(image.data):,}."
                )
        media_ids = [self._upload(image) for image in part.images]
        body: dict[str, Any] = {
            "status": part.text,
            "visibility": part.visibility if part.visibility in VISIBILITIES else "public",
        }
        if part.langs:
            body["language"] = part.langs[0]
        if part.parent is not None:
            body["in_reply_to_id"] = part.parent.id
        if media_ids:
            body["media_ids"] = media_ids
        response = self._request(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": part.key}
        )
        status = json_or_empty(response)
        return Ref(id=str(status["id"]), url=str(status.get("url") or status.get("uri") or ""))

    def find(self, part: Part) -> Ref | None:
        """The part among the account's recent statuses: the same post it answers and the same
        text (`GET /api/v1/statuses/:id/source`, the text as written). Within the hour the
        instance keeps an Idempotency-Key, sending the part again would also be safe; this
        covers retries after that."""
        account_id = self._account_id()
        response = self._request(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            params={"limit": RECENT, "exclude_reblogs": "true"},
        )
        statuses = response.json() if response.content else []
        parent = part.parent.id if part.parent else None
        wanted = _folded(part.text)
        for status in statuses if isinstance(statuses, list) else []:
            if (status.get("in_reply_to_id") or None) != parent:
                continue
            source = json_or_empty(self._request("GET", f"/api/v1/statuses/{status['id']}/source"))
            if _folded(str(source.get("text", ""))) == wanted:
                return Ref(
                    id=str(status["id"]), url=str(status.get("url") or status.get("uri") or "")
                )
        return None

    def _account_id(self) -> str:
        if not self.state.get("account_id"):
            account = json_or_empty(self._request("GET", "/api/v1/accounts/verify_credentials"))
            self.state["account_id"] = str(account["id"])
        return str(self.state["account_id"])

    # -- requests --------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        headers["Authorization"] = f"Bearer {self.connection.secret}"
        response = send(self.connection, method, f"{self.base}{path}", headers=headers, **kwargs)
        if response.status_code < 300:
            return response
        message = str(json_or_empty(response).get("error") or f"HTTP {response.status_code}")
        server_trouble(self.connection, response, f"Mastodon: {message}")
        raise PermanentError(f"Mastodon: {message}")

    def _upload(self, image: Image) -> str:
        response = self._request(
            "POST",
            "/api/v2/media",
            files={"file": (_filename(image.mime), image.data, image.mime)},
            data={"description": image.alt},
        )
        media = json_or_empty(response)
        media_id = str(media["id"])
        if response.status_code == 202 or not media.get("url"):
            deadline = time.monotonic() + MEDIA_WAIT
            while True:
                check = self._request("GET", f"/api/v1/media/{media_id}")
                if check.status_code == 200 and json_or_empty(check).get("url"):
                    break
                if time.monotonic() > deadline:
                    raise TemporaryError("Mastodon is still processing an image; try again later.")
                time.sleep(0.5)
        return media_id


def _folded(text: str) -> str:
    return " ".join(text.split())


def _filename(mime: str) -> str:
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
    return f"image.{extension.get(mime, 'bin')}"
