"""A stand-in Bluesky PDS: the XRPC endpoints the adapter uses, answering as the AT Protocol
lexicons document them (errors as `{"error": NAME, "message": TEXT}`).

    from tests.standins import bluesky
    with bluesky.serve(handle="hemonc.bsky.social", password="app-pass") as (url, state):
        ...  # Connection(platform="bluesky", handle=..., service=url, secret="app-pass")
        state.records  # {rkey: {"uri", "cid", "value"}} in the order stored

Endpoints: com.atproto.server.createSession / refreshSession, com.atproto.identity.resolveHandle,
com.atproto.repo.uploadBlob / createRecord / getRecord. `state.handles` maps other handles to
DIDs for mentions. Records longer than 300 graphemes or 3000 bytes are refused like the PDS's
lexicon validation does; so are images over 1,000,000 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import regex

from tests.standins import Answer, Failure, Request, Route, StandinApp, StandinState, run

POST_PATH = "/xrpc/com.atproto.repo.createRecord"


def cid_of(data: bytes) -> str:
    return "bafyrei" + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


class BlueskyState(StandinState):
    post_path = POST_PATH

    def __init__(self, handle: str, password: str) -> None:
        super().__init__()
        self.handle = handle
        self.password = password
        self.did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.handles: dict[str, str] = {handle: self.did}
        self.access: dict[str, bool] = {}  # access token -> still valid
        self.refresh: dict[str, bool] = {}
        self.sessions_created = 0
        self.sessions_refreshed = 0
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        self._seq = itertools.count(1)

    @property
    def posts(self) -> list[dict[str, Any]]:
        """The stored post records (their values), in the order stored."""
        with self.lock:
            return [record["value"] for record in self.records.values()]

    def expire_sessions(self, *, refresh: bool = False) -> None:
        """Every access token (and with `refresh`, every refresh token) expires now."""
        with self.lock:
            self.access = dict.fromkeys(self.access, False)
            if refresh:
                self.refresh = dict.fromkeys(self.refresh, False)

    def new_session(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.access[access] = True
        self.refresh[refresh] = True
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "active": True,
        }


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, {"error": error, "message": message}, headers or {})


class BlueskyApp(StandinApp):
    state: BlueskyState

    def route(self, request: Request) -> Route | None:
        routes: dict[tuple[str, str], Route] = {
            ("POST", "/xrpc/com.atproto.server.createSession"): self.create_session,
            ("POST", "/xrpc/com.atproto.server.refreshSession"): self.refresh_session,
            ("GET", "/xrpc/com.atproto.identity.resolveHandle"): self.resolve_handle,
            ("POST", "/xrpc/com.atproto.repo.uploadBlob"): self.upload_blob,
            ("POST", POST_PATH): self.create_record,
            ("GET", "/xrpc/com.atproto.repo.getRecord"): self.get_record,
        }
        return routes.get((request.method, request.path))

    def not_found(self, request: Request) -> Answer:
        return _error(501, "MethodNotImplemented", "Method Not Implemented")

    def failure_answer(self, failure: Failure, request: Request) -> Answer:
        if failure.mode == "rate_limit":
            reset = int(time.time() + float(failure.options.get("reset", 30)))
            return _error(
                429,
                "RateLimitExceeded",
                "Rate Limit Exceeded",
                {
                    "ratelimit-limit": "5000",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(reset),
                    "ratelimit-policy": "5000;w=3600",
                },
            )
        if failure.mode == "expired":
            self.state.expire_sessions(refresh=bool(failure.options.get("refresh")))
            return _error(400, "ExpiredToken", "Token has expired")
        return _error(500, "InternalServerError", "Internal Server Error")

    # -- auth ------------------------------------------------------------------------------

    def _auth(self, request: Request) -> Answer | None:
        token = request.bearer
        with self.state.lock:
            valid = self.state.access.get(token)
        if valid is None:
            return _error(401, "AuthenticationRequired", "Authentication Required")
        if not valid:
            return _error(400, "ExpiredToken", "Token has expired")
        return None

    def create_session(self, request: Request) -> Answer:
        body = request.json() or {}
        identifier = str(body.get("identifier", "")).lower()
        if (
            identifier not in {self.state.handle.lower(), self.state.did}
            or body.get("password") != self.state.password
        ):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.state.lock:
            self.state.sessions_created += 1
            return Answer(200, self.state.new_session())

    def refresh_session(self, request: Request) -> Answer:
        with self.state.lock:
            valid = self.state.refresh.get(request.bearer)
            if valid is None:
                return _error(400, "InvalidToken", "Token could not be verified")
            if not valid:
                return _error(400, "ExpiredToken", "Token has expired")
            self.state.refresh[request.bearer] = False  # refresh tokens are used once
            self.state.sessions_refreshed += 1
            return Answer(200, self.state.new_session())

    def resolve_handle(self, request: Request) -> Answer:
        handle = request.query.get("handle", "").lower()
        did = self.state.handles.get(handle)
        if did is None:
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return Answer(200, {"did": did})

    # -- repository ------------------------------------------------------------------------

    def upload_blob(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        cid = cid_of(request.body)
        with self.state.lock:
            self.state.blobs[cid] = request.body
        mime = request.headers.get("Content-Type", "application/octet-stream")
        return Answer(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid},
                    "mimeType": mime,
                    "size": len(request.body),
                }
            },
        )

    def create_record(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("record"), dict):
            return _error(400, "InvalidRequest", 'Input must have the property "record"')
        if body.get("repo") not in {self.state.did, self.state.handle}:
            return _error(400, "InvalidRequest", "Input/repo must be the authenticated account")
        if body.get("collection") != "app.bsky.feed.post":
            return _error(400, "InvalidRequest", "Unsupported collection")
        record = body["record"]
        invalid = self._validate(record)
        if invalid:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {invalid}")
        with self.state.lock:
            rkey = str(body.get("rkey") or f"3l{next(self.state._seq):011d}")
            if rkey in self.state.records:
                return _error(400, "InvalidRequest", f"Record already exists at rkey {rkey}")
            uri = f"at://{self.state.did}/app.bsky.feed.post/{rkey}"
            cid = cid_of(repr(sorted(record.items())).encode() + rkey.encode())
            self.state.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        return Answer(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": cid, "rev": rkey},
                "validationStatus": "valid",
            },
        )

    def _validate(self, record: dict[str, Any]) -> str:
        text = record.get("text")
        if record.get("$type") != "app.bsky.feed.post" or not isinstance(text, str):
            return "Record/text must be a string"
        if not record.get("createdAt"):
            return 'Record must have the property "createdAt"'
        if len(text.encode()) > 3000:
            return "Record/text must not be longer than 3000 characters"
        if graphemes(text) > 300:
            return "Record/text must not be longer than 300 graphemes"
        for facet in record.get("facets") or []:
            index = facet.get("index") or {}
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= len(text.encode()):
                return "Record/facets has an index outside the text"
        embed = record.get("embed")
        if embed:
            images = embed.get("images") or []
            if len(images) > 4:
                return "Record/embed/images must not have more than 4 elements"
            for image in images:
                if "alt" not in image:
                    return 'Record/embed/images/0 must have the property "alt"'
                size = image.get("image", {}).get("size", 0)
                if size > 1_000_000:
                    return f"Record/embed/images/0/image file too large. 1000000 bytes maximum, got: {size}"
        reply = record.get("reply")
        if reply:
            for name in ("root", "parent"):
                ref = reply.get(name) or {}
                if not ref.get("uri") or not ref.get("cid"):
                    return f'Record/reply/{name} must have the properties "uri" and "cid"'
        return ""

    def get_record(self, request: Request) -> Answer:
        repo, rkey = request.query.get("repo", ""), request.query.get("rkey", "")
        with self.state.lock:
            record = self.state.records.get(rkey)
        if repo not in {self.state.did, self.state.handle} or record is None:
            uri = f"at://{repo}/{request.query.get('collection', '')}/{rkey}"
            return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return Answer(200, record)


@contextmanager
def serve(
    *,
    port: int = 0,
    handle: str = "hemonc.bsky.social",
    password: str = "app-password",  # noqa: S107
) -> Iterator[tuple[str, BlueskyState]]:
    """A running stand-in PDS: yields its base URL and its state."""
    state = BlueskyState(handle, password)
    with run(BlueskyApp(state), port) as url:
        yield url, state
