"""A small closed-loop HTTP/1.1 load generator on asyncio streams (keep-alive, one connection per client).

Lighter than an HTTP library, so on a 2-core machine more of the CPU goes to the server being measured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        from .common import latency

        return {**latency(self.latencies), "errors": self.errors, "statuses": self.statuses,
                "throughput_rps": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0}


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


def build(method: str, path: str, host: str, token: str | None, body: bytes = b"",
          headers: dict[str, str] | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def _ok(status: int, body: bytes) -> bool:
    return status < 300


async def load(port: int, clients: int, requests: list[bytes], ok: Callable[[int, bytes], bool] = _ok) -> Run:
    """Send every request once, spread over ``clients`` concurrent keep-alive connections."""
    queue = list(reversed(requests))
    return await _drive(port, [queue] * clients, ok)


async def load_each(port: int, lists: list[list[bytes]], ok: Callable[[int, bytes], bool] = _ok) -> Run:
    """One keep-alive connection per list, each sending its own requests in order, all at once."""
    return await _drive(port, [list(reversed(requests)) for requests in lists], ok)


async def _drive(port: int, queues: list[list[bytes]], ok: Callable[[int, bytes], bool]) -> Run:
    run = Run()

    async def client(queue: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                raw = queue.pop()
                t = time.perf_counter()
                status, body = await _request(reader, writer, raw)
                run.latencies.append(time.perf_counter() - t)
                run.statuses[status] = run.statuses.get(status, 0) + 1
                run.errors += not ok(status, body)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(q) for q in queues))
    run.seconds = time.perf_counter() - t0
    return run
