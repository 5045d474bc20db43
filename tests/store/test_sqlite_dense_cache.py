"""The SQLite store's in-memory vector matrix: our own inserts extend it; other changes reload it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jean_memory.store import open_sqlite
from jean_memory.store.records import Filters, NewMemory

pytestmark = pytest.mark.anyio


def _item(text: str, axis: int) -> NewMemory:
    vec = np.zeros(8, dtype=np.float32)
    vec[axis] = 1.0
    return NewMemory(text, text, vec.tobytes(), created_at=100.0 + axis)


def _q(axis: int) -> np.ndarray:
    vec = np.zeros(8, dtype=np.float32)
    vec[axis] = 1.0
    return vec


async def test_inserts_extend_the_cached_matrix_and_deletes_reload_it(tmp_path: Path) -> None:
    stores = open_sqlite(str(tmp_path / "db.sqlite3"))
    await stores.database.migrate()
    try:
        user = await stores.users.create_user("a@example.com", None)
        await stores.memories.insert(user.id, [_item("zero", 0)])
        assert [h.seq for h in await stores.memories.dense(user.id, _q(0), 5, Filters())]  # loads the matrix
        added = []
        for axis in range(1, 8):  # several appends, past the first capacity growth
            added += await stores.memories.insert(user.id, [_item(f"m{axis}", axis)])
        hits = await stores.memories.dense(user.id, _q(5), 1, Filters())
        assert hits[0].seq == added[4].seq and hits[0].score == pytest.approx(1.0)
        assert hits[0].created_at == 105.0
        # A second store on the same file writes: the version moves by more than our own insert, so we reload.
        other = open_sqlite(str(tmp_path / "db.sqlite3"))
        await other.memories.delete(user.id, [added[4].id])
        await other.database.close()
        hits = await stores.memories.dense(user.id, _q(5), 8, Filters())
        assert added[4].seq not in [h.seq for h in hits]
        assert len(hits) == 7
    finally:
        await stores.database.close()


def test_a_large_matrix_scored_in_two_halves_ranks_exactly_as_in_one() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from jean_memory.store.sqlite.matrix import SPLIT_ROWS, UserMatrix

    n = SPLIT_ROWS + 1001
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    matrix = UserMatrix(1, np.arange(1, n + 1, dtype=np.int64), vectors, np.full(n, 100.0), np.zeros(n, dtype=bool),
                        [None] * n, [frozenset()] * n, n)
    mask = matrix.mask(Filters())
    mask[::3] = False
    query = rng.standard_normal(384).astype(np.float32)
    with ThreadPoolExecutor(1) as helper:
        halves = matrix.top(query, 100, mask, helper)
    whole = matrix.top(query, 100, mask)
    assert [(s.seq, s.score) for s in halves] == [(s.seq, s.score) for s in whole]
    assert len(whole) == 100 and all(s.seq % 3 != 1 for s in whole)  # masked rows (seq 1, 4, ...) left out
