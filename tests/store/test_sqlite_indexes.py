"""SQLite query plans: the dashboard's total (of every space or some) and its apps read the index of current
memories (migrations 0008 and 0010), not every row with its text and embedding."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jean_memory.store import open_sqlite
from jean_memory.store.records import NewMemory
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio


async def test_counting_and_grouping_current_memories_use_their_index(tmp_path: Path) -> None:
    stores = open_sqlite(str(tmp_path / "db.sqlite3"))
    await stores.database.migrate()
    try:
        user = await stores.users.create_user("i@example.com", None)
        await stores.memories.insert(user.id, [NewMemory(f"note {i}", f"k{i}", unit_vector(i), client_id="app")
                                               for i in range(50)])
        plans: list[str] = []

        def trace(c: sqlite3.Connection) -> None:
            c.set_trace_callback(plans.append)

        stores.database.read_sync(trace)  # readers are reused last-in first-out: the next reads use this one
        try:
            assert await stores.memories.count(user.id) == 50
            assert await stores.memories.count(user.id, [user.id, "elsewhere"]) == 50  # some spaces (issue 21)
            assert [(s.client_id, s.memories) for s in await stores.memories.sources(user.id)] == [("app", 50)]
        finally:
            stores.database.read_sync(lambda c: c.set_trace_callback(None))
        queries = [q for q in plans if "count(*)" in q]
        assert len(queries) == 3
        for query in queries:
            plan = stores.database.read_sync(lambda c, q=query: c.execute("EXPLAIN QUERY PLAN " + q).fetchall())
            assert any("memories_current" in str(row[-1]) for row in plan), plan
    finally:
        await stores.database.close()
