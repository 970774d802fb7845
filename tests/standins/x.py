"""A stand-in X API v2: the endpoints the adapter uses, answering as X's documentation says
(errors as RFC 7807 problem objects: `{"title", "detail", "type", "status"}`; OAuth errors as
`{"error", "error_description"}`).

    from tests.standins import x
    with x.serve(refresh_token="refresh-1") as (url, state):
        ...  # Connection(platform="x", handle="hemonc", service=url, secret="refresh-1")
        state.tweets  # the created posts, in order

Endpoints: POST /2/oauth2/token (refresh_token grant; refresh tokens rotate, each used once),
GET /2/users/me, GET /2/users/:id/tweets (newest first; text with &, <, > escaped and links
shortened to t.co, as X returns them), POST /2/media/upload, POST /2/media/metadata,
POST /2/tweets (201). A text over 280 weighted characters or the same text as an earlier post is
refused with 403, as X does.
"""

from __future__ import annotations

import base64
import html
import itertools
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tests.standins import Answer, Failure, Request, Route, StandinApp, StandinState, run

POST_PATH = "/2/tweets"
_URL = re.compile(r"https?://\S+")
# twitter-text v3: code points in these ranges weigh 1 (100/100), all others 2.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def weighted_length(text: str) -> int:
    """X's count, close enough for a stand-in: URLs 23, light ranges 1, everything else 2."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    last = 0
    for match in _URL.finditer(text):
        total += _weigh(text[last : match.start()]) + 23
        last = match.end()
    return total + _weigh(text[last:])


def _weigh(text: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _LIGHT) else 2 for c in text)


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(
        status,
        {"title": title, "detail": detail, "type": "about:blank", "status": status},
        headers or {},
    )


class XState(StandinState):
    post_path = POST_PATH

    def __init__(self, refresh_token: str, client_id: str, username: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.username = username
        self.user_id = "1400000000000000001"
        self.refresh_tokens: dict[str, bool] = {refresh_token: True}
        self.access_tokens: dict[str, float] = {}  # token -> expiry (Unix time)
        self.token_lifetime = 7200
        self.refreshes = 0
        self.tweets: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1_800_000_000_000_000_001)

    @property
    def posts(self) -> list[dict[str, Any]]:
        return list(self.tweets)

    def next_id(self) -> str:
        return str(next(self._ids))

    def expire_tokens(self, *, refresh: bool = False) -> None:
        with self.lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)
            if refresh:
                self.refresh_tokens = dict.fromkeys(self.refresh_tokens, False)


class XApp(StandinApp):
    state: XState

    def route(self, request: Request) -> Route | None:
        if request.method == "GET" and re.fullmatch(r"/2/users/\d+/tweets", request.path):
            return self.user_tweets
        routes: dict[tuple[str, str], Route] = {
            ("POST", "/2/oauth2/token"): self.token,
            ("GET", "/2/users/me"): self.me,
            ("POST", "/2/media/upload"): self.upload_media,
            ("POST", "/2/media/metadata"): self.media_metadata,
            ("POST", POST_PATH): self.create_tweet,
        }
        return routes.get((request.method, request.path))

    def not_found(self, request: Request) -> Answer:
        return _problem(404, "Not Found Error", f"Could not find {request.path}.")

    def failure_answer(self, failure: Failure, request: Request) -> Answer:
        if failure.mode == "rate_limit":
            reset = int(time.time() + float(failure.options.get("reset", 30)))
            return _problem(
                429,
                "Too Many Requests",
                "Too Many Requests",
                {
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                },
            )
        if failure.mode == "expired":
            self.state.expire_tokens(refresh=bool(failure.options.get("refresh")))
            return _problem(401, "Unauthorized", "Unauthorized")
        return _problem(500, "Internal Server Error", "Internal Server Error")

    def _auth(self, request: Request) -> Answer | None:
        with self.state.lock:
            expiry = self.state.access_tokens.get(request.bearer)
        if expiry is None or expiry < time.time():
            return _problem(401, "Unauthorized", "Unauthorized")
        return None

    def token(self, request: Request) -> Answer:
        form = {k: v[-1] for k, v in request.form().items()}
        client_id = form.get("client_id")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        if form.get("grant_type") != "refresh_token":
            return Answer(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Only refresh_token here.",
                },
            )
        if client_id != self.state.client_id:
            return Answer(
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Missing valid authorization header",
                },
            )
        with self.state.lock:
            if not self.state.refresh_tokens.get(form.get("refresh_token", "")):
                return Answer(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                )
            self.state.refresh_tokens[form["refresh_token"]] = False  # rotated: used once
            access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
            self.state.access_tokens[access] = time.time() + self.state.token_lifetime
            self.state.refresh_tokens[refresh] = True
            self.state.refreshes += 1
        return Answer(
            200,
            {
                "token_type": "bearer",
                "expires_in": self.state.token_lifetime,
                "access_token": access,
                "scope": "tweet.read tweet.write users.read media.write offline.access",
                "refresh_token": refresh,
            },
        )

    def me(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        return Answer(
            200,
            {
                "data": {
                    "id": self.state.user_id,
                    "name": "Stand-in",
                    "username": self.state.username,
                }
            },
        )

    def user_tweets(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        if request.path.split("/")[3] != self.state.user_id:
            return Answer(200, {"meta": {"result_count": 0}})
        limit = min(max(int(request.query.get("max_results", 10)), 5), 100)
        with self.state.lock:
            newest = list(reversed(self.state.tweets))[:limit]
        data = [
            {
                "id": t["id"],
                "text": _URL.sub(
                    lambda m: "https://t.co/" + secrets.token_hex(5),
                    html.escape(t["text"], quote=False),
                ),
                "created_at": t["created_at"],
                "edit_history_tweet_ids": [t["id"]],
                **(
                    {"referenced_tweets": [{"type": "replied_to", "id": t["in_reply_to_tweet_id"]}]}
                    if t["in_reply_to_tweet_id"]
                    else {}
                ),
            }
            for t in newest
        ]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        return Answer(200, {"data": data, "meta": meta} if data else {"meta": meta})

    def upload_media(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        body = request.json() or {}
        try:
            data = base64.b64decode(body.get("media", ""), validate=True)
        except ValueError:
            data = b""
        if not data or body.get("media_category") not in {"tweet_image", "dm_image", "subtitles"}:
            return _problem(
                400, "Invalid Request", "One or more parameters to your request was invalid."
            )
        if len(data) > 5 * 1024 * 1024:
            return _problem(400, "Invalid Request", "File size exceeds 5242880 bytes.")
        with self.state.lock:
            media_id = self.state.next_id()
            self.state.media[media_id] = {"id": media_id, "size": len(data), "alt_text": ""}
        return Answer(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                }
            },
        )

    def media_metadata(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        body = request.json() or {}
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text", "")
        with self.state.lock:
            media = self.state.media.get(str(body.get("id")))
            if media is None:
                return _problem(400, "Invalid Request", "The media id is invalid.")
            if len(alt) > 1000:
                return _problem(400, "Invalid Request", "Alt text must be at most 1000 characters.")
            media["alt_text"] = alt
        return Answer(
            200, {"data": {"id": media["id"], "associated_metadata": body.get("metadata")}}
        )

    def create_tweet(self, request: Request) -> Answer:
        if (denied := self._auth(request)) is not None:
            return denied
        body = request.json()
        if not isinstance(body, dict):
            return _problem(
                400, "Invalid Request", "One or more parameters to your request was invalid."
            )
        text = str(body.get("text") or "")
        reply_to = ((body.get("reply") or {}).get("in_reply_to_tweet_id")) or None
        media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
        with self.state.lock:
            if weighted_length(text) > 280:
                return _problem(403, "Forbidden", "Your Tweet text is too long.")
            if any(t["text"] == text for t in self.state.tweets):
                return _problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                )
            if reply_to and not any(t["id"] == str(reply_to) for t in self.state.tweets):
                return _problem(
                    403,
                    "Forbidden",
                    "You attempted to reply to a Tweet that is deleted or not visible to you.",
                )
            if len(media_ids) > 4 or any(m not in self.state.media for m in media_ids):
                return _problem(400, "Invalid Request", "Your media IDs are invalid.")
            tweet_id = self.state.next_id()
            self.state.tweets.append(
                {
                    "id": tweet_id,
                    "text": text,
                    "in_reply_to_tweet_id": str(reply_to) if reply_to else None,
                    "media": [self.state.media[m] for m in media_ids],
                    "created_at": datetime.now(UTC)
                    .isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                }
            )
        return Answer(
            201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}
        )


@contextmanager
def serve(
    *,
    port: int = 0,
    refresh_token: str = "refresh-token",  # noqa: S107
    client_id: str = "client-id",
    username: str = "hemonc",
) -> Iterator[tuple[str, XState]]:
    """A running stand-in X API: yields its base URL and its state."""
    state = XState(refresh_token, client_id, username)
    with run(XApp(state), port) as url:
        yield url, state
