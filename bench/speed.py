"""Speed over real HTTP against a real ``jean-memory serve`` process, beside a bare FastAPI ceiling.

For 1k, 10k and 100k memories for one user (seeded in bulk through the store): cold start, first search
(loads the user's vectors), ``GET /api/v1/search`` and ``POST /api/v1/memories`` latency and throughput at
1, 8 and 32 concurrent keep-alive clients with a bearer API key, resident memory. Every search query is
distinct (LoCoMo questions), so the embedder's query cache never answers. Run: ``python -m bench.speed``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any
from urllib.parse import quote

from .common import LOCOMO, WORK, write
from .loadgen import build, load
from .locomo_data import load as load_locomo
from .seed import base_texts, seed
from .server import ceiling, free_port, jean_memory

CLIENTS = (1, 8, 32)


def questions() -> list[str]:
    qs = [q.text for c in load_locomo(LOCOMO) for q in c.questions] if LOCOMO.exists() else []
    qs += [f"what did I note about project {i} in town {i % 13}" for i in range(2000 - len(qs))]
    random.Random(7).shuffle(qs)
    return qs


def search_req(q: str, host: str, token: str) -> bytes:
    return build("GET", f"/api/v1/search?q={quote(q)}&limit=10", host, token)


def add_req(text: str, host: str, token: str) -> bytes:
    return build("POST", "/api/v1/memories", host, token, json.dumps({"text": text}).encode())


async def one_size(n: int, qs: list[str], base: Any, per_cell: int, adds: int) -> dict[str, Any]:
    db = WORK / f"speed-{n}.sqlite3"
    t = time.perf_counter()
    token = await seed(db, n, base)
    out: dict[str, Any] = {"memories": n, "seed_seconds": round(time.perf_counter() - t, 1)}
    port = free_port()
    server = jean_memory(db, port)
    host = f"127.0.0.1:{port}"
    try:
        out["cold_start_s"] = round(server.cold_start_s, 2)
        out["rss_mib_idle"] = server.rss_mib()
        first = await load(port, 1, [search_req("first search of the day", host, token)])
        out["first_search_ms"] = round(first.latencies[0] * 1000, 1)
        await load(port, 4, [search_req(f"warm up {i} walking", host, token) for i in range(40)])
        out["search"] = {}
        for i, c in enumerate(CLIENTS):
            cell = qs[i * per_cell:(i + 1) * per_cell]
            out["search"][c] = (await load(port, c, [search_req(q, host, token) for q in cell])).summary()
        out["rss_mib_after_search"] = server.rss_mib()
        out["add"] = {}
        texts = base[0]
        for c in CLIENTS:
            reqs = [add_req(f"{texts[(c * 7919 + k) % len(texts)]} (added {c}-{k})", host, token) for k in range(adds)]
            out["add"][c] = (await load(port, c, reqs)).summary()
        after = await load(port, 1, [search_req("search right after writes", host, token)])
        out["search_after_write_ms"] = round(after.latencies[0] * 1000, 1)
        out["rss_mib_end"] = server.rss_mib()
    finally:
        server.stop()
    return out


async def run_ceiling(requests: int) -> dict[str, Any]:
    port = free_port()
    server = ceiling(port)
    try:
        host = f"127.0.0.1:{port}"
        await load(port, 4, [build("GET", "/json", host, None)] * 200)
        cells = {c: (await load(port, c, [build("GET", "/json", host, None)] * requests)).summary() for c in CLIENTS}
        return {"cold_start_s": round(server.cold_start_s, 2), "rss_mib": server.rss_mib(), "get": cells}
    finally:
        server.stop()


async def run(sizes: list[int], per_cell: int, adds: int) -> dict[str, Any]:
    base = await base_texts()
    qs = questions()
    result: dict[str, Any] = {"ceiling": await run_ceiling(1000), "sizes": {}}
    for n in sizes:
        print(f"speed: {n} memories ...", flush=True)
        result["sizes"][n] = await one_size(n, qs, base, per_cell, adds)
        (WORK / f"speed-{n}.sqlite3").unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--requests", type=int, default=240, help="search requests per concurrency level")
    parser.add_argument("--adds", type=int, default=120, help="add requests per concurrency level")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    data = asyncio.run(run(args.sizes, args.requests, args.adds))
    from .speed_report import markdown

    write("speed", data, markdown(data), "python -m bench.speed")


if __name__ == "__main__":
    main()
