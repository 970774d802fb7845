"""X through its API v2 with OAuth 2.0 user tokens.

- Tokens: the account's secret is the OAuth 2.0 refresh token (or a JSON object with
  `refresh_token`, `access_token`, `client_id`, `client_secret`). An access token is obtained
  and renewed with `POST /2/oauth2/token` (`grant_type=refresh_token`); X rotates refresh
  tokens, so the new one is kept in the connection's state. A 401 renews the token and sends
  the refused request once more.
- Posts: `POST /2/tweets` with `text`, `reply.in_reply_to_tweet_id` for a thread's replies and
  `media.media_ids`; images through `POST /2/media/upload` (`media_category=tweet_image`) and
  their alt text through `POST /2/media/metadata`.
- X has no idempotency key: `find` looks for the part among the account's recent posts
  (`GET /2/users/:id/tweets`), comparing the text (links, which X shortens, compared as links)
  and the post it answers.
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from typing import Any

import requests

from hemonc.outreach.desk.platforms.base import (
    Connection,
    Image,
    Part,
    PermanentError,
    Ref,
    json_or_empty,
    send,
    server_trouble,
)

WEB = "https://x.com"
MAX_WEIGHTED = 280
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
EXPIRY_MARGIN = 60.0  # renew an access token this many seconds before it expires
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_DUPLICATE = "duplicate content"


def normalized(text: str) -> str:
    """A post's text as compared by `find`: entities decoded, links as "URL", spaces folded."""
    return " ".join(_URL.sub("URL", html.unescape(text)).split())


class XAdapter:
    max_images = MAX_IMAGES
    max_image_bytes = MAX_IMAGE_BYTES

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.base = connection.service.rstrip("/")
        self.credentials = _credentials(connection)

    @property
    def state(self) -> dict[str, Any]:
        return self.connection.state

    # -- the adapter's interface -----------------------------------------------------------

    def limit(self) -> int:
        return MAX_WEIGHTED

    def publish(self, part: Part) -> Ref:
        if len(part.images) > MAX_IMAGES:
            raise PermanentError(f"X takes at most {MAX_IMAGES} images in a post.")
        for image in part.images:
            if len(image.data) > MAX_IMAGE_BYTES:
                raise PermanentError(
                    f"X takes images of at most {MAX_IMAGE_BYTES:,} bytes; "
                    f"this one has {len(image.data):,}."
                )
        body: dict[str, Any] = {"text": part.text}
        if part.parent is not None:
            body["reply"] = {"in_reply_to_tweet_id": part.parent.id}
        if part.images:
            body["media"] = {"media_ids": [self._upload(image) for image in part.images]}
        try:
            data = self._api("POST", "/2/tweets", json=body)
        except PermanentError as exc:
            if _DUPLICATE in exc.message.lower():
                found = self.find(part)  # an earlier attempt was stored after all
                if found is not None:
                    return found
            raise
        post_id = str(data["data"]["id"])
        return Ref(id=post_id, url=self._url(post_id))

    def find(self, part: Part) -> Ref | None:
        user_id = self._user_id()
        data = self._api(
            "GET",
            f"/2/users/{user_id}/tweets",
            params={"max_results": 100, "tweet.fields": "created_at,referenced_tweets"},
        )
        wanted = normalized(part.text)
        parent = part.parent.id if part.parent else None
        for tweet in data.get("data") or []:
            replied_to = next(
                (
                    str(ref.get("id"))
                    for ref in tweet.get("referenced_tweets") or []
                    if ref.get("type") == "replied_to"
                ),
                None,
            )
            if normalized(str(tweet.get("text", ""))) == wanted and replied_to == parent:
                return Ref(id=str(tweet["id"]), url=self._url(str(tweet["id"])))
        return None

    # -- tokens ----------------------------------------------------------------------------

    def _url(self, post_id: str) -> str:
        username = self.state.get("username") or self.connection.handle.lstrip("@")
        return f"{WEB}/{username}/status/{post_id}"

    def _user_id(self) -> str:
        if not self.state.get("user_id"):
            me = self._api("GET", "/2/users/me").get("data") or {}
            self.state["user_id"] = str(me["id"])
            if me.get("username"):
                self.state["username"] = me["username"]
        return str(self.state["user_id"])

    def _refresh_token(self) -> str:
        return str(self.state.get("refresh_token") or self.credentials.get("refresh_token") or "")

    def _access_token(self) -> str:
        token = self.state.get("access_token")
        expires_at = float(self.state.get("expires_at") or 0)
        if token and (not expires_at or expires_at - EXPIRY_MARGIN > time.time()):
            return str(token)
        if self._refresh_token():
            return self._renew()
        if self.credentials.get("access_token"):
            return str(self.credentials["access_token"])
        raise PermanentError("X: the account has no token; connect it again.")

    def _renew(self) -> str:
        refresh = self._refresh_token()
        if not refresh:
            raise PermanentError("X: the access token expired and cannot be renewed.")
        form = {"grant_type": "refresh_token", "refresh_token": refresh}
        client_id = self.credentials.get("client_id") or self.connection.client_id
        client_secret = self.credentials.get("client_secret") or self.connection.client_secret
        auth = None
        if client_secret:
            auth = (client_id, client_secret)  # a confidential client: HTTP Basic
        elif client_id:
            form["client_id"] = client_id
        response = send(
            self.connection, "POST", f"{self.base}/2/oauth2/token", data=form, auth=auth
        )
        body = json_or_empty(response)
        if response.status_code >= 300:
            message = str(body.get("error_description") or body.get("error") or "")
            server_trouble(self.connection, response, f"X: {message or 'token renewal failed'}")
            raise PermanentError(
                f"X refused to renew the account's token: {message or response.status_code}. "
                "Connect the account again."
            )
        self.state["access_token"] = body["access_token"]
        if body.get("refresh_token"):
            self.state["refresh_token"] = body["refresh_token"]
        if body.get("expires_in"):
            self.state["expires_at"] = time.time() + float(body["expires_in"])
        return str(body["access_token"])

    # -- requests --------------------------------------------------------------------------

    def _api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._send(method, path, self._access_token(), **kwargs)
        if response.status_code == 401 and self._refresh_token():
            response = self._send(method, path, self._renew(), **kwargs)
        if response.status_code < 300:
            return json_or_empty(response)
        message = _problem(response)
        server_trouble(self.connection, response, f"X: {message}")
        raise PermanentError(f"X: {message}")

    def _send(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return send(self.connection, method, f"{self.base}{path}", headers=headers, **kwargs)

    def _upload(self, image: Image) -> str:
        data = self._api(
            "POST",
            "/2/media/upload",
            json={
                "media": base64.b64encode(image.data).decode(),
                "media_category": "tweet_image",
                "media_type": image.mime,
            },
        )
        media_id = str(data["data"]["id"])
        if image.alt:
            self._api(
                "POST",
                "/2/media/metadata",
                json={"id": media_id, "metadata": {"alt_text": {"text": image.alt}}},
            )
        return media_id


def _credentials(connection: Connection) -> dict[str, str]:
    secret = connection.secret.strip()
    if secret.startswith("{"):
        try:
            data = json.loads(secret)
        except ValueError:
            raise PermanentError("X: the account's stored secret is not valid JSON.") from None
        return {str(k): str(v) for k, v in data.items() if v}
    return {"refresh_token": secret} if secret else {}


def _problem(response: requests.Response) -> str:
    """The message of X's problem answer (RFC 7807: `detail`, `title`) or its `errors`."""
    body = json_or_empty(response)
    errors = body.get("errors")
    if body.get("detail"):
        return str(body["detail"])
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("message") or first.get("detail") or first.get("title"))
    return str(body.get("title") or f"HTTP {response.status_code}")
