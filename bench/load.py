"""A small HTTP/1.1 load generator for loopback servers: N keep-alive clients, fixed duration.

One thread drives every connection through a selector, so the client costs little of the CPU
the server under test needs; responses are framed by Content-Length and never parsed further.
"""

from __future__ import annotations

import os
import selectors
import socket
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import LOOPBACK


@dataclass
class LoadResult:
    """What the clients saw in the measured window (after the warm-up)."""

    duration: float
    latencies: list[float] = field(repr=False)
    statuses: Counter[int]
    connection_errors: int
    client_cpu_seconds: float

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return self.connection_errors + sum(n for s, n in self.statuses.items() if s != 200)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration

    def percentile_ms(self, percent: float) -> float | None:
        if len(self.latencies) < 2:
            return None
        cuts = statistics.quantiles(self.latencies, n=1000, method="inclusive")
        return _ms(cuts[round(percent * 10) - 1])

    @classmethod
    def combined(cls, parts: list[LoadResult]) -> LoadResult:
        """One result from several measured windows (rounds interleaved with other loads)."""
        return cls(
            duration=sum(p.duration for p in parts),
            latencies=[latency for p in parts for latency in p.latencies],
            statuses=sum((p.statuses for p in parts), Counter()),
            connection_errors=sum(p.connection_errors for p in parts),
            client_cpu_seconds=sum(p.client_cpu_seconds for p in parts),
        )

    def summary(self) -> dict[str, Any]:
        measured = bool(self.latencies)
        return {
            "requests": self.requests,
            "duration_s": round(self.duration, 2),
            "requests_per_second": round(self.requests_per_second, 1),
            "latency_mean_ms": _ms(statistics.fmean(self.latencies)) if measured else None,
            "latency_p50_ms": self.percentile_ms(50),
            "latency_p95_ms": self.percentile_ms(95),
            "latency_p99_ms": self.percentile_ms(99),
            "latency_max_ms": _ms(max(self.latencies)) if measured else None,
            "errors": self.errors,
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "client_cpu_share": round(self.client_cpu_seconds / self.duration, 3),
        }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


class _Connection:
    """One keep-alive client: sends a request, waits for the whole response, sends the next."""

    def __init__(self, address: tuple[str, int], requests: list[bytes], start: int) -> None:
        self.address = address
        self.requests = requests
        self.index = start
        self.sent_at = 0.0
        self.sock = self._connect()
        self.buffer = bytearray()
        self.expected = -1  # total bytes of the response once its head is read

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def reconnect(self) -> None:
        self.sock.close()
        self.sock = self._connect()
        self.buffer.clear()
        self.expected = -1

    def send_next(self) -> None:
        request = self.requests[self.index % len(self.requests)]
        self.index += 1
        self.sent_at = time.perf_counter()
        self.sock.sendall(request)

    def read(self) -> int | None:
        """Read what arrived; the status code once the response is complete, else None."""
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk
        if self.expected < 0:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return None
            head = bytes(self.buffer[:head_end]).lower()
            marker = head.find(b"\r\ncontent-length:")
            if marker >= 0:
                value_end = head.find(b"\r\n", marker + 2)
                length = int(head[marker + 17 : value_end if value_end > 0 else None])
                self.expected = head_end + 4 + length
            elif b"\r\ntransfer-encoding: chunked" in head:
                self.expected = 0  # complete when the last chunk arrives
            else:
                raise ConnectionError("a response without Content-Length or chunked encoding")
        if self.expected == 0:
            if not self.buffer.endswith(b"\r\n0\r\n\r\n"):
                return None
        elif len(self.buffer) < self.expected:
            return None
        status = int(self.buffer[9:12])
        self.buffer.clear()
        self.expected = -1
        return status


def build_request(path: str, *, port: int, headers: dict[str, str]) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {LOOPBACK}:{port}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def run_load(
    *,
    port: int,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    warmup: float,
    duration: float,
) -> LoadResult:
    """Keep `clients` connections busy for warmup + duration seconds, rotating over `paths`.

    Only requests sent after the warm-up and answered before the end are counted.
    """
    requests = [build_request(path, port=port, headers=headers) for path in paths]
    selector = selectors.DefaultSelector()
    connections = [
        _Connection((LOOPBACK, port), requests, start=i * len(requests) // clients)
        for i in range(clients)
    ]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    connection_errors = 0
    cpu_start = time.process_time()
    started = time.perf_counter()
    measure_from = started + warmup
    end = measure_from + duration
    for connection in connections:
        selector.register(connection.sock, selectors.EVENT_READ, connection)
        connection.send_next()
    cpu_at_measure = cpu_start
    while (now := time.perf_counter()) < end:
        if cpu_at_measure == cpu_start and now >= measure_from:
            cpu_at_measure = time.process_time()
        for key, _ in selector.select(timeout=min(0.5, end - now)):
            connection = key.data
            try:
                status = connection.read()
            except OSError:
                if connection.sent_at >= measure_from:
                    connection_errors += 1
                selector.unregister(connection.sock)
                connection.reconnect()
                selector.register(connection.sock, selectors.EVENT_READ, connection)
                connection.send_next()
                continue
            if status is None:
                continue
            finished = time.perf_counter()
            if connection.sent_at >= measure_from:
                latencies.append(finished - connection.sent_at)
                statuses[status] += 1
            if finished < end:
                connection.send_next()
    cpu_seconds = time.process_time() - cpu_at_measure
    for connection in connections:
        selector.unregister(connection.sock)
        connection.sock.close()
    selector.close()
    return LoadResult(
        duration=duration,
        latencies=latencies,
        statuses=statuses,
        connection_errors=connection_errors,
        client_cpu_seconds=cpu_seconds,
    )


class CpuMeter:
    """Who used the machine's CPUs during a measurement: server, database, client, or others.

    Linux only (reads /proc); elsewhere the shares are None. Shares are fractions of all CPUs
    over the window, so "other" is the part of the machine the benchmark did not have.
    `database_pids` lists the database server's processes that serve the benchmark (its
    connections), when the database runs on this machine as its own processes.
    """

    TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(
        self, server_pid: int, database_pids: Callable[[], list[int]] | None = None
    ) -> None:
        self.server_pid = server_pid
        self.database_pids = database_pids
        self.start: dict[str, Any] = {}
        self.end: dict[str, Any] = {}

    def __enter__(self) -> CpuMeter:
        self.start = self._sample()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.end = self._sample()

    def shares(self) -> dict[str, float | None]:
        if not self.end or self.start["busy"] < 0 or self.end["busy"] < 0:
            return dict.fromkeys(("server", "database", "client", "other"))
        capacity = (self.end["wall"] - self.start["wall"]) * (os.cpu_count() or 1) * self.TICKS
        used = {
            "server": self.end["server"] - self.start["server"],
            # A connection opened during the window started from zero.
            "database": sum(
                ticks - self.start["database"].get(pid, 0)
                for pid, ticks in self.end["database"].items()
            )
            if self.database_pids
            else None,
            "client": (self.end["client"] - self.start["client"]) * self.TICKS,
        }
        ours = sum(ticks for ticks in used.values() if ticks is not None)
        used["other"] = max(0, self.end["busy"] - self.start["busy"] - ours)
        return {
            name: None if ticks is None else round(ticks / capacity, 3)
            for name, ticks in used.items()
        }

    def _sample(self) -> dict[str, Any]:
        return {
            "wall": time.perf_counter(),
            "busy": _busy_ticks(),
            "server": _tree_ticks(self.server_pid),
            "database": {pid: _tree_ticks(pid) for pid in (self.database_pids or list)()},
            "client": time.process_time(),
        }


def _busy_ticks() -> int:
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return -1
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return user + nice + system + irq + softirq + steal


def _tree_ticks(pid: int) -> int:
    """CPU ticks used so far by a process and all its descendants still running."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            children = [
                child
                for task in Path(f"/proc/{current}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
        pending += [int(child) for child in children]
    return total
