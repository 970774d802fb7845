"""A minimal SMTP server for benchmarks: it accepts every message and counts it.

aiosmtpd (the tests' server) parses and validates every command, which made it slower
than the senders it measured; a sink must never be the bottleneck of a sending benchmark.
It speaks just enough SMTP (RFC 5321) for smtplib and Django's SMTP backend: EHLO/HELO,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class _Session(asyncio.Protocol):
    def __init__(self, on_message: Callable[[bytes], None]) -> None:
        self.on_message = on_message
        self.buffer = b""
        self.in_data = False
        self.message: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            if self.in_data:
                if line == b".":
                    self.in_data = False
                    self.on_message(b"\r\n".join(self.message) + b"\r\n")
                    self.message = []
                    replies.append(b"250 OK queued\r\n")
                else:
                    self.message.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"EHLO":
                replies.append(b"250-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 0\r\n")
            elif verb == b"DATA":
                self.in_data = True
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join(replies) + b"221 Bye\r\n")
                self.transport.close()
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                replies.append(b"250 OK\r\n")
        if replies:
            self.transport.write(b"".join(replies))


async def serve(host: str, port: int, on_message: Callable[[bytes], None]) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _Session(on_message), host, port)
