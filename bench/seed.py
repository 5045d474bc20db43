"""Seed a database in bulk: N memories for one user, written through the store (no per-memory embedding).

Texts are LoCoMo turns (or a synthetic fallback) with a numbered suffix; vectors are the model's vector of the
turn plus a little noise, re-normalised, so the dense side sees a realistic spread at any size.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from jean_memory.accounts.api_keys import create_api_key
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.text import dedup_key
from jean_memory.store import open_sqlite
from jean_memory.store.records import NewMemory

from .common import LOCOMO, WORK, CachedEmbedder
from .locomo_data import load

EMAIL = "bench@example.com"


async def base_texts() -> tuple[list[str], np.ndarray]:
    if LOCOMO.exists():
        texts = [t.text for c in load(LOCOMO) for t in c.turns]
    else:
        texts = [f"Note {i}: met a friend about project {i % 97} in town {i % 13}" for i in range(2000)]
    embedder = CachedEmbedder(MiniLMEmbedder.shared())
    vectors = await embedder.embed(texts)
    embedder.save()
    return texts, vectors


async def seed(path: Path, n: int, base: tuple[list[str], np.ndarray], spaces: int = 0) -> str:
    """Create ``path`` with one user holding ``n`` memories; return a fresh API key for that user. ``spaces``: 0, all
    in the personal space and a key reaching every space; else spread evenly over that many new spaces and a key
    given exactly those (``bench.spaces``)."""
    texts, vectors = base
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    stores = open_sqlite(str(path))
    await stores.database.migrate()
    user = await stores.users.create_user(EMAIL, None)
    made = [(await stores.spaces.create_space(user.id, f"space {k}")).id for k in range(spaces)]
    targets = made or [user.id]
    rng = np.random.default_rng(n)
    start = 1_600_000_000.0
    for lo in range(0, n, 5000):
        idx = np.arange(lo, min(n, lo + 5000))
        base_rows = vectors[idx % len(texts)]
        noisy = base_rows + rng.normal(0, 0.02, base_rows.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        items = []
        for i, vec in zip(idx.tolist(), noisy, strict=True):
            text = f"{texts[i % len(texts)]} (#{i})"
            items.append(NewMemory(text, dedup_key(text), vec.astype(np.float32).tobytes(), ("bench",), "seed",
                                   created_at=start + 60 * i, space_id=targets[i % len(targets)]))
        await stores.memories.insert(user.id, items)
    _, secret = await create_api_key(stores, user.id, "bench", tuple(made) if made else None,
                                     made[0] if made else None)
    await stores.database.close()
    return secret


def seed_sync(path: Path, n: int) -> str:
    async def run() -> str:
        return await seed(path, n, await base_texts())

    return asyncio.run(run())


if __name__ == "__main__":
    print(seed_sync(WORK / "seed-test.sqlite3", 1000))
