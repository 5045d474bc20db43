"""Issue 21's benchmark: search with spaces costs what search without them did.

Three databases of 10,000 memories for one account (LoCoMo turns, seeded through the store as ``bench.speed`` seeds
them), each behind its own ``jean-memory serve`` process: today's single store (every memory in the personal space,
a key reaching all its spaces); the same 10k in one space ``work`` read by a key given only ``work``; and five spaces
of 2,000 read together by a key given all five. ``GET /api/v1/search`` is timed round-robin across the three servers
(one keep-alive connection each, one request at a time, every question distinct), so drift on the machine falls on
all three alike. Target: each spaces figure within 10% of the single store's p50.
Run: ``python -m bench.spaces``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from .common import WORK, latency, write
from .loadgen import _request
from .seed import base_texts, seed
from .server import free_port, jean_memory
from .speed import questions, search_req

N = 10_000
TARGET = 1.10
LAYOUTS = {"single store": 0, "one space of 10k": 1, "five spaces of 2k": 5}


async def run(count: int) -> dict[str, Any]:
    base = await base_texts()
    qs = questions()
    servers: list[Any] = []
    links: list[tuple[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = []
    tokens: list[str] = []
    times: dict[str, list[float]] = {name: [] for name in LAYOUTS}
    try:
        for spaces in LAYOUTS.values():
            db = WORK / f"spaces-{spaces}.sqlite3"
            tokens.append(await seed(db, N, base, spaces))
            port = free_port()
            servers.append(jean_memory(db, port))
            links.append((port, await asyncio.open_connection("127.0.0.1", port)))
        for (port, (reader, writer)), token in zip(links, tokens, strict=True):  # warm: vectors, first queries
            for k in range(20):
                status, _ = await _request(reader, writer, search_req(f"warm up {k} walking", f"127.0.0.1:{port}",
                                                                      token))
                assert status == 200, status
        for i in range(count):
            for j, name in enumerate(LAYOUTS):  # round-robin, each its own distinct question
                port, (reader, writer) = links[j]
                request = search_req(qs[(i * len(LAYOUTS) + j) % len(qs)], f"127.0.0.1:{port}", tokens[j])
                t = time.perf_counter()
                status, _ = await _request(reader, writer, request)
                times[name].append(time.perf_counter() - t)
                assert status == 200, status
    finally:
        for _, (_, writer) in links:
            writer.close()
        for server in servers:
            server.stop()
    summary = {name: latency(values) for name, values in times.items()}
    single = summary["single store"]["p50_ms"]
    for name in LAYOUTS:
        summary[name]["vs_single"] = round(summary[name]["p50_ms"] / single, 3)
    return {"memories": N, "searches_each": count, "search": summary,
            "within_target": all(s["vs_single"] <= TARGET for s in summary.values())}


def report(data: dict[str, Any]) -> str:
    rows = "\n".join(f"| {name} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['vs_single']:.3f} |"
                     for name, s in data["search"].items())
    verdict = "met" if data["within_target"] else "MISSED"
    return (f"`GET /api/v1/search` at {data['memories']:,} memories, {data['searches_each']} distinct questions "
            "each, round-robin over three servers.\n\n| layout | p50 ms | p95 ms | p99 ms | p50 / single |\n"
            f"|---|---|---|---|---|\n{rows}\n\nTarget (each within {TARGET - 1:.0%} of the single store's p50): "
            f"{verdict}.\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="searches per layout")
    args = parser.parse_args()
    data = asyncio.run(run(args.count))
    write("spaces", data, report(data), f"python -m bench.spaces --count {args.count}")
    return 0 if data["within_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
