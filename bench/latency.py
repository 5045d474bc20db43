"""Issue 2's first benchmark: add and search latency (p50/p95) for one user at 1k and 10k memories.

In-process through ``MemoryService`` (no HTTP; ``speed.py`` measures over HTTP), real embedding on every call
(distinct texts and queries). Run: ``python -m bench.latency``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.store import open_sqlite

from .common import WORK, latency, write
from .seed import EMAIL, base_texts, seed
from .speed import questions


async def one(n: int, qs: list[str], base: Any, count: int) -> dict[str, Any]:
    db = WORK / f"latency-{n}.sqlite3"
    await seed(db, n, base)
    stores = open_sqlite(str(db))
    service = MemoryService(stores, MiniLMEmbedder.shared())
    user = await stores.users.get_user_by_email(EMAIL)
    assert user is not None
    await service.search(user.id, "warm up the vectors")
    searches, adds = [], []
    for q in qs[:count]:
        t = time.perf_counter()
        await service.search(user.id, q, 10)
        searches.append(time.perf_counter() - t)
    for k in range(count):
        t = time.perf_counter()
        await service.add(user.id, f"{base[0][(k * 31 + n) % len(base[0])]} (new {n}-{k})")
        adds.append(time.perf_counter() - t)
    await stores.database.close()
    for suffix in ("", "-wal", "-shm"):
        (WORK / f"latency-{n}.sqlite3{suffix}").unlink(missing_ok=True)
    return {"search": latency(searches), "add": latency(adds)}


async def run(count: int) -> dict[str, Any]:
    base = await base_texts()
    qs = questions()  # distinct queries for each size, so the embedder's query cache never answers
    return {"in_process": {str(n): await one(n, qs[-(i + 1) * count:][:count], base, count)
                           for i, n in enumerate((1_000, 10_000))}}


def main() -> None:
    data = asyncio.run(run(200))
    md = ["In-process (MemoryService, SQLite file, MiniLM with int8 matrix products, one thread per call), one "
          "user, 200 distinct searches then "
          "200 single adds (near-duplicate check included).", "",
          "| memories | add p50 ms | add p95 ms | search p50 ms | search p95 ms |", "|---|---|---|---|---|"]
    for n, r in data["in_process"].items():
        md.append(f"| {int(n):,} | {r['add']['p50_ms']} | {r['add']['p95_ms']} | {r['search']['p50_ms']} | "
                  f"{r['search']['p95_ms']} |")
    write("latency", data, "\n".join(md), "python -m bench.latency")


if __name__ == "__main__":
    main()
