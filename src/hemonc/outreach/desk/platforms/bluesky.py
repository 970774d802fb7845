"""Bluesky through the AT Protocol's XRPC API of the account's PDS.

- Session: `com.atproto.server.createSession` with the handle and an app password; an expired
  access token (`ExpiredToken`) is renewed with `com.atproto.server.refreshSession`, or a new
  session when the refresh token has expired too, and the refused call is sent once more.
- Posts: `com.atproto.repo.createRecord` of an `app.bsky.feed.post` record (`text`,
  `createdAt`, `langs`, rich text `facets` for links, hashtags and mentions in UTF-8 byte
  offsets, mentions resolved to DIDs with `com.atproto.identity.resolveHandle`; a reply's
  `reply.root` and `reply.parent` strong references; images uploaded with
  `com.atproto.repo.uploadBlob` and embedded as `app.bsky.embed.images` with their alt text).
- The record key is the part's idempotency key (a TID, or a TID derived from it), fixed before
  the first attempt, so `find` asks `com.atproto.repo.getRecord` whether the post exists.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import requests

from hemonc.outreach.desk.platforms.base import (
    Connection,
    Image,
    Part,
    PermanentError,
    Ref,
    TemporaryError,
    _tid_from_int,
    is_tid,
    json_or_empty,
    send,
    server_trouble,
)
from hemonc.outreach.desk.text import facets as find_facets

COLLECTION = "app.bsky.feed.post"
WEB = "https://bsky.app"
MAX_GRAPHEMES = 300
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images#image: maxSize
_SESSION_EXPIRED = {"ExpiredToken", "InvalidToken"}


def record_key(key: str) -> str:
    """The record key for an idempotency key: the key itself when it is a TID, else a TID
    derived from its hash (stable, so every attempt uses the same record key)."""
    if is_tid(key):
        return key
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return _tid_from_int(digest & ((1 << 63) - 1))


def post_url(handle: str, uri: str) -> str:
    rkey = uri.rsplit("/", 1)[-1]
    return f"{WEB}/profile/{handle}/post/{rkey}"


class BlueskyAdapter:
    max_images = MAX_IMAGES
    max_image_bytes = MAX_IMAGE_BYTES

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.base = connection.service.rstrip("/")

    # -- the adapter's interface -----------------------------------------------------------

    def limit(self) -> int:
        return MAX_GRAPHEMES

    def publish(self, part: Part) -> Ref:
        self._check_images(part.images)
        rkey = record_key(part.key)
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": part.text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "langs": list(part.langs)[:3],  # the lexicon takes at most 3
        }
        facets = self._facets(part.text)
        if facets:
            record["facets"] = facets
        if part.parent is not None:
            root = part.root or part.parent
            record["reply"] = {"root": self._strong(root), "parent": self._strong(part.parent)}
        if part.images:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": image.alt, "image": self._upload(image)} for image in part.images
                ],
            }
        body = {"repo": self._did(), "collection": COLLECTION, "rkey": rkey, "record": record}
        try:
            data = self._call("POST", "com.atproto.repo.createRecord", json=body)
        except PermanentError:
            # A record under this key already exists: an earlier attempt was stored.
            found = self.find(part)
            if found is not None:
                return found
            raise
        return Ref(id=data["uri"], url=post_url(self._handle(), data["uri"]), cid=data["cid"])

    def find(self, part: Part) -> Ref | None:
        params = {"repo": self._did(), "collection": COLLECTION, "rkey": record_key(part.key)}
        try:
            data = self._call("GET", "com.atproto.repo.getRecord", params=params)
        except PermanentError as exc:
            if getattr(exc, "error", "") in {"RecordNotFound", "NotFound"} or (
                "not" in exc.message.lower() and "found" in exc.message.lower()
            ):
                return None
            raise
        return Ref(id=data["uri"], url=post_url(self._handle(), data["uri"]), cid=data["cid"])

    # -- session ---------------------------------------------------------------------------

    @property
    def state(self) -> dict[str, Any]:
        return self.connection.state

    def _did(self) -> str:
        if not self.state.get("did"):
            self._create_session()
        return str(self.state["did"])

    def _handle(self) -> str:
        return str(self.state.get("handle") or self.connection.handle).lstrip("@")

    def _create_session(self) -> None:
        data = self._xrpc(
            "POST",
            "com.atproto.server.createSession",
            json={
                "identifier": self.connection.handle.lstrip("@"),
                "password": self.connection.secret,
            },
            token=None,
        )
        self._keep_session(data)

    def _refresh_session(self) -> None:
        refresh = self.state.get("refreshJwt")
        if refresh:
            try:
                data = self._xrpc("POST", "com.atproto.server.refreshSession", token=refresh)
            except PermanentError:
                pass  # the refresh token expired or was revoked: sign in again
            else:
                self._keep_session(data)
                return
        self._create_session()

    def _keep_session(self, data: dict[str, Any]) -> None:
        for name in ("accessJwt", "refreshJwt", "did", "handle"):
            if data.get(name):
                self.state[name] = data[name]

    def _call(self, method: str, nsid: str, **kwargs: Any) -> dict[str, Any]:
        """An authenticated call; an expired session is renewed and the call sent once more
        (the server refused it, so nothing was stored)."""
        if not self.state.get("accessJwt"):
            self._create_session()
        try:
            return self._xrpc(method, nsid, token=self.state["accessJwt"], **kwargs)
        except _Expired:
            self._refresh_session()
        try:
            return self._xrpc(method, nsid, token=self.state["accessJwt"], **kwargs)
        except _Expired as exc:
            raise PermanentError(f"Bluesky refused the new session: {exc.message}") from None

    def _xrpc(self, method: str, nsid: str, *, token: str | None, **kwargs: Any) -> dict[str, Any]:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = send(
            self.connection, method, f"{self.base}/xrpc/{nsid}", headers=headers, **kwargs
        )
        if response.status_code < 300:
            return json_or_empty(response)
        raise self._error(response, expirable=token is not None and "refreshSession" not in nsid)

    def _error(self, response: requests.Response, *, expirable: bool) -> Exception:
        body = json_or_empty(response)
        error = str(body.get("error") or "")
        message = str(body.get("message") or error or f"HTTP {response.status_code}")
        if expirable and (error in _SESSION_EXPIRED or response.status_code == 401):
            return _Expired(message)
        try:
            server_trouble(self.connection, response, f"Bluesky: {message}")
        except TemporaryError as exc:
            return exc
        exc_perm = PermanentError(f"Bluesky: {message}")
        exc_perm.error = error  # type: ignore[attr-defined]
        return exc_perm

    # -- pieces of a post ------------------------------------------------------------------

    def _check_images(self, images: list[Image]) -> None:
        if len(images) > MAX_IMAGES:
            raise PermanentError(f"Bluesky takes at most {MAX_IMAGES} images in a post.")
        for image in images:
            if len(image.data) > MAX_IMAGE_BYTES:
                raise PermanentError(
                    f"Bluesky takes images of at most {MAX_IMAGE_BYTES:,} bytes; "
                    f"this one has {len(image.data):,}."
                )

    def _upload(self, image: Image) -> dict[str, Any]:
        data = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            data=image.data,
            headers={"Content-Type": image.mime},
        )
        blob: dict[str, Any] = data["blob"]
        return blob

    def _strong(self, ref: Ref) -> dict[str, str]:
        cid = ref.cid
        if not cid:  # a reference stored without its CID: ask the PDS
            repo, collection, rkey = ref.id.removeprefix("at://").split("/", 2)
            data = self._call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": repo, "collection": collection, "rkey": rkey},
            )
            cid = data["cid"]
        return {"uri": ref.id, "cid": cid}

    def _facets(self, text: str) -> list[dict[str, Any]]:
        facets: list[dict[str, Any]] = []
        dids: dict[str, str | None] = {}
        for facet in find_facets(text):
            if facet.kind == "link":
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": facet.value}
            elif facet.kind == "tag":
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": facet.value}
            else:
                if facet.value not in dids:
                    dids[facet.value] = self._resolve(facet.value)
                did = dids[facet.value]
                if did is None:  # not a Bluesky handle: plain text, as the Bluesky app does
                    continue
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            facets.append(
                {
                    "index": {"byteStart": facet.byte_start, "byteEnd": facet.byte_end},
                    "features": [feature],
                }
            )
        return facets

    def _resolve(self, handle: str) -> str | None:
        try:
            data = self._xrpc(
                "GET",
                "com.atproto.identity.resolveHandle",
                params={"handle": handle},
                token=None,
            )
        except PermanentError:
            return None
        did = data.get("did")
        return str(did) if did else None


class _Expired(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
