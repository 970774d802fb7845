"""A real SMTP server on loopback (aiosmtpd) for every test about sending mail."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives.

    `delay`: seconds the server takes over each message before it accepts it (a slow relay);
    `stalls`: {n: seconds} to take that long over the n-th message it receives (1-based).
    """

    def __init__(self, *, delay: float = 0.0, stalls: dict[int, float] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = delay
        self.stalls = dict(stalls or {})
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        wait = self.stalls.get(self.received, self.delay)
        if wait:
            await asyncio.sleep(wait)
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages, once at least `count` arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} mail(s) within {timeout}s, got {len(self.messages)}")
            time.sleep(0.05)
        return list(self.messages)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[Controller]:
    """A real SMTP server on loopback; its `handler` is a Mailbox."""
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: Controller, settings: Any) -> Mailbox:
    """Django sends its mail to `smtp_server`; returns the server's mailbox."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": smtp_server.hostname,
                "port": smtp_server.port,
                "use_tls": False,
                "use_ssl": False,
                "timeout": 10,
            },
        }
    }
    return smtp_server.handler
