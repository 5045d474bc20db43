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
