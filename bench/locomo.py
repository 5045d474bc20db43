"""Retrieval quality on the LoCoMo dev split: the product's search against BM25 alone and dense alone.

Each turn is added through ``MemoryService.add`` (one memory per turn, session date as ``created_at``, one user
per conversation); each question of categories 1-4 is asked through ``MemoryService.search`` (what the REST
``/api/v1/search`` and the MCP ``search_memory`` tool call). Run: ``python -m bench.locomo``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.memory.text import query_terms
from jean_memory.store import Stores, open_sqlite
from jean_memory.store.records import Filters

from .common import LOCOMO, WORK, CachedEmbedder, write
from .locomo_data import CATEGORIES, Conversation, load
from .locomo_report import markdown

KS = (1, 5, 10, 20)
Search = Callable[[str, str], Awaitable[list[int]]]


def systems(service: MemoryService, embedder: Any) -> dict[str, Search]:
    store = service.stores.memories

    async def bm25(uid: str, q: str) -> list[int]:
        return [s.seq for s in await store.lexical(uid, query_terms(q), 20, Filters())]

    async def dense(uid: str, q: str) -> list[int]:
        vector = (await embedder.embed([q]))[0]
        return [s.seq for s in await store.dense(uid, vector, 20, Filters())]

    async def hybrid(uid: str, q: str) -> list[int]:
        return [r.memory.seq for r in await service.search(uid, q, 20)]

    no_context = MemoryService(service.stores, embedder, weights=replace(service.weights, context=0.0))

    async def fusion_only(uid: str, q: str) -> list[int]:
        return [r.memory.seq for r in await no_context.search(uid, q, 20)]

    return {"bm25": bm25, "dense": dense, "hybrid, fusion only": fusion_only, "hybrid": hybrid}


async def ingest(service: MemoryService, stores: Stores, conv: Conversation) -> tuple[str, dict[str, int], int, int]:
    """Store every turn; the user, each turn's seq, how many turns dedup folded and how many a later turn replaced
    (the replacement check runs as for any add: a turn it wrongly replaces drops out of search)."""
    user = await stores.users.create_user(f"{conv.sample_id}@locomo.bench", None)
    seq_of: dict[str, int] = {}
    deduped = replaced = 0
    for turn in conv.turns:
        result = (await service.add(user.id, turn.text, client_id="locomo", created_at=turn.created_at))[0]
        seq_of[turn.dia_id] = result.memory.seq
        deduped += not result.created
        replaced += len(result.replaced)
    return user.id, seq_of, deduped, replaced


def score(hits: list[int], evidence: set[int], sessions: set[int], session_of: dict[int, set[int]]) -> dict[str, float]:
    row = {f"r@{k}": len(evidence & set(hits[:k])) / len(evidence) for k in KS}
    found = set().union(*(session_of.get(h, set()) for h in hits[:10])) if hits else set()
    row["session_r@10"] = len(sessions & found) / len(sessions)
    return row


async def run(path: Path, only: list[str] | None = None) -> dict[str, Any]:
    db_path = WORK / "locomo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    stores = open_sqlite(str(db_path))
    await stores.database.migrate()
    embedder = CachedEmbedder(MiniLMEmbedder.shared())
    service = MemoryService(stores, embedder)
    named = {k: v for k, v in systems(service, embedder).items() if not only or k in only}
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    timings: dict[str, list[float]] = defaultdict(list)
    convs = load(path)
    info = {"conversations": len(convs), "turns": 0, "deduped_turns": 0, "replaced_turns": 0, "questions": 0,
            "skipped_evidence_ids": [], "skipped_questions": 0}
    for conv in convs:
        t0 = time.perf_counter()
        uid, seq_of, deduped, replaced = await ingest(service, stores, conv)
        embedder.save()
        info["turns"] += len(conv.turns)
        info["deduped_turns"] += deduped
        info["replaced_turns"] += replaced
        info["skipped_evidence_ids"] += conv.skipped_evidence
        info["skipped_questions"] += conv.skipped_questions
        session_of: dict[int, set[int]] = defaultdict(set)
        for turn in conv.turns:
            session_of[seq_of[turn.dia_id]].add(turn.session)
        print(f"{conv.sample_id}: {len(conv.turns)} turns ({deduped} deduped, {replaced} replaced by a later turn) in "
              f"{time.perf_counter() - t0:.1f}s")
        for q in conv.questions:
            info["questions"] += 1
            evidence = {seq_of[e] for e in q.evidence}
            sessions = {int(e[1:].split(":")[0]) for e in q.evidence}
            for name, search in named.items():
                t = time.perf_counter()
                hits = await search(uid, q.text)
                timings[name].append(time.perf_counter() - t)
                rows[name].append({"conv": conv.sample_id, "cat": q.category,
                                   **score(hits, evidence, sessions, session_of)})
    embedder.save()
    await stores.database.close()
    return {"dataset": info, "results": {name: summarise(r) for name, r in rows.items()},
            "search_ms_in_process": {n: round(float(np.median(t)) * 1000, 2) for n, t in timings.items()}}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = [f"r@{k}" for k in KS] + ["session_r@10"]

    def mean(sel: list[dict[str, Any]]) -> dict[str, float]:
        return {m: round(100 * float(np.mean([r[m] for r in sel])), 1) for m in metrics} | {"n": len(sel)}

    by_cat = {CATEGORIES[c]: mean([r for r in rows if r["cat"] == c]) for c in sorted(CATEGORIES)}
    by_conv = {c: mean([r for r in rows if r["conv"] == c]) for c in sorted({r["conv"] for r in rows})}
    r10 = [v["r@10"] for v in by_conv.values()]
    spread = {"min": min(r10), "max": max(r10), "stdev": round(float(np.std(r10)), 1)}
    return {"all": mean(rows), "by_category": by_cat, "by_conversation": by_conv, "r@10_spread": spread}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=LOCOMO)
    parser.add_argument("--only", nargs="*", help="systems to run (default all)")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"LoCoMo data not found at {args.data} (set LOCOMO_PATH)")
    t0 = time.perf_counter()
    data = asyncio.run(run(args.data, args.only))
    data["seconds"] = round(time.perf_counter() - t0, 1)
    write("locomo", data, markdown(data), "python -m bench.locomo")


if __name__ == "__main__":
    main()
