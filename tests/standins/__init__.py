"""Local stand-ins for the platforms the publishing desk posts to: real HTTP servers on
127.0.0.1, each speaking the endpoints our adapters use as the platform documents them, with
the platform's error answers, and failures that can be switched on.

    with bluesky.serve() as (url, state):
        state.fail_next("drop")          # store the next post, then close without answering
        ...
        assert len(state.posts) == 1

Failure modes (`state.fail_next(mode, path=None, times=1, **options)`; `path` defaults to the
platform's posting endpoint):
- "rate_limit": 429 with the platform's reset header (`reset=` seconds, default 30);
- "expired": the session or token in use has expired (Bluesky `ExpiredToken`, X 401);
- "server_error": 500;
- "drop": the request is carried out (the post stored), then the connection is closed
  without an answer;
- "slow": the answer comes after `delay=` seconds (default 2).
Too long texts are refused the platform's way at all times.

The servers speak HTTP/1.1 with keep-alive and log nothing, so a benchmark can send thousands
of posts through them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Failure:
    mode: str
    path: str
    times: int = 1
    options: dict[str, Any] = field(default_factory=dict)


class Request:
    """What a route needs from the request."""

    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.query_lists = parse_qs(parts.query)
        self.headers = handler.headers
        self.body = body

    @property
    def bearer(self) -> str:
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else ""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())

    def multipart(self) -> dict[str, tuple[str, bytes]]:
        """Fields of a multipart/form-data body: name -> (content type, bytes)."""
        content_type = self.headers.get("Content-Type", "")
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body
        )
        fields: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            fields[str(name)] = (part.get_content_type(), data)
        return fields


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


Route = Callable[[Request], Answer]


class StandinState:
    """Common to every stand-in: a lock, the failure queue and the requests seen."""

    post_path = "/"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.failures: list[Failure] = []
        self.requests: list[tuple[str, str]] = []

    def fail_next(
        self, mode: str, *, path: str | None = None, times: int = 1, **options: Any
    ) -> None:
        assert mode in {"rate_limit", "expired", "server_error", "drop", "slow"}, mode
        with self.lock:
            self.failures.append(Failure(mode, path or self.post_path, times, options))

    def take_failure(self, path: str) -> Failure | None:
        with self.lock:
            for failure in self.failures:
                if failure.path == path:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure
        return None

    def count(self, method: str, path: str) -> int:
        with self.lock:
            return sum(1 for seen in self.requests if seen == (method, path))


class StandinApp:
    """A platform: its routes and how it answers a failure."""

    def __init__(self, state: StandinState) -> None:
        self.state = state

    def route(self, request: Request) -> Route | None:
        raise NotImplementedError

    def failure_answer(self, failure: Failure, request: Request) -> Answer:
        raise NotImplementedError

    def not_found(self, request: Request) -> Answer:
        return Answer(404, {"error": "Not Found"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed after a minute
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        app = self.server.app
        request = Request(self, body)
        with app.state.lock:
            app.state.requests.append((request.method, request.path))
        route = app.route(request)
        if route is None:
            self._send(app.not_found(request))
            return
        failure = app.state.take_failure(request.path)
        if failure is not None and failure.mode == "slow":
            time.sleep(float(failure.options.get("delay", 2.0)))
            failure = None
        if failure is not None and failure.mode == "drop":
            route(request)  # carried out, the answer lost
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if failure is not None:
            answer = app.failure_answer(failure, request)
            if answer is not None:
                self._send(answer)
                return
        self._send(route(request))

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def _send(self, answer: Answer) -> None:
        payload = answer.raw
        content_type = answer.headers.pop("Content-Type", "application/json; charset=utf-8")
        if payload is None:
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, app: StandinApp, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.app = app


@contextmanager
def run(app: StandinApp, port: int = 0) -> Iterator[str]:
    """Serve the app on 127.0.0.1 (a free port unless `port`) in a thread; yields the base
    URL."""
    server = _Server(app, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
