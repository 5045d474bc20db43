"""Contract of JSON columns and partial updates (issue 12), run against every backend: whatever a row holds, it
reads back as JSON that the API can send (``json_values.readable``); tags or metadata change without the text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jean_memory.json_values import MAX_DEPTH, problem
from jean_memory.store import Stores, open_sqlite
from jean_memory.store.postgres.db import PostgresDatabase
from jean_memory.store.records import Document, Filters, NewMemory
from jean_memory.store.sqlite.db import SqliteDatabase
from tests.legacy_rows import nested
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio


async def test_update_changes_tags_or_metadata_alone(stores: Stores) -> None:
    u = await stores.users.create_user("partial@example.com", None)
    [m] = await stores.memories.insert(u.id, [NewMemory("my bike is blue", "k1", unit_vector(1), ("a",), None,
                                                        {"n": 1})])
    tagged = await stores.memories.update(u.id, m.id, None, None, None, ("b", "c"))
    assert tagged is not None and (tagged.text, tagged.tags, tagged.metadata) == ("my bike is blue", ("b", "c"),
                                                                                   {"n": 1})
    assert tagged.updated_at >= m.updated_at
    meta = await stores.memories.update(u.id, m.id, None, None, None, None, {"shop": "Velo"})
    assert meta is not None and (meta.tags, meta.metadata) == (("b", "c"), {"shop": "Velo"})
    assert [h.seq for h in await stores.memories.lexical(u.id, ["bike"], 10, Filters(tags=("c",)))] == [m.seq]
    dense = await stores.memories.dense(u.id, np.frombuffer(unit_vector(1), dtype=np.float32), 1, Filters(tags=("b",)))
    assert [h.seq for h in dense] == [m.seq]
    assert await stores.memories.update(u.id, "no-such-id", None, None, None, ("x",)) is None


async def test_deeply_nested_metadata_reads_back_bounded(stores: Stores) -> None:
    u = await stores.users.create_user("deep@example.com", None)
    [m] = await stores.memories.insert(u.id, [NewMemory("deep", "k", unit_vector(1), (), None, nested(900))])
    [got] = await stores.memories.get(u.id, [m.id])
    assert problem(got.metadata) is None  # no deeper than MAX_DEPTH: the API can serialise it
    level = got.metadata
    for _ in range(MAX_DEPTH - 1):
        level = level["a"]
    assert isinstance(level["a"], str)
    [paged] = await stores.memories.page(u.id, 10, None, Filters())
    assert paged.metadata == got.metadata
    doc = Document("d1", u.id, "t", "c", "note", None, None, nested(900), 1.0, 1.0)
    await stores.documents.insert_document(doc, [])
    stored = await stores.documents.get_document(u.id, "d1")
    assert stored is not None and problem(stored.metadata) is None
    assert problem((await stores.documents.list_documents(u.id, 10, 0))[0].metadata) is None


async def test_a_huge_offset_lists_nothing(stores: Stores) -> None:
    u = await stores.users.create_user("offset@example.com", None)
    await stores.documents.insert_document(Document("d1", u.id, "t", "c", "note", None, None, {}, 1.0, 1.0), [])
    assert await stores.documents.list_documents(u.id, 10, 2**63 - 1) == []
    assert await stores.memories.page(u.id, 10, 2**63 - 1, Filters()) == []


async def _set_metadata_raw(stores: Stores, memory_id: str, raw: str) -> None:
    """Write a metadata column's JSON text as is, past every check (as an older version or another tool could)."""
    db = stores.database
    if isinstance(db, PostgresDatabase):
        await db.execute("UPDATE memories SET metadata=%s::jsonb WHERE id=%s", (raw, memory_id))
    else:
        assert isinstance(db, SqliteDatabase)
        await db.write(lambda c: c.execute("UPDATE memories SET metadata=? WHERE id=?", (raw, memory_id)))


async def test_metadata_too_deep_for_the_json_parser_still_reads(stores: Stores) -> None:
    u = await stores.users.create_user("deeper@example.com", None)
    [m] = await stores.memories.insert(u.id, [NewMemory("deeper", "k", unit_vector(1))])
    await _set_metadata_raw(stores, m.id, '{"a":' * 5000 + "1" + "}" * 5000)
    [got] = await stores.memories.get(u.id, [m.id])
    # Python 3.11/3.12's parser gives up (RecursionError): the value is marked unreadable. 3.13's decodes it, and
    # what lies deeper than MAX_DEPTH comes back as its JSON text. Either way: a value JSON can send again.
    if "unreadable" in got.metadata:
        assert got.metadata == {"unreadable": "[unreadable: nested too deeply to decode]"}
    else:
        assert problem(dict(got.metadata), max_depth=MAX_DEPTH + 1) is None
        assert json.loads(json.dumps(got.metadata)) == got.metadata


async def test_lone_surrogates_and_nan_stored_by_sqlite_read_as_replacement(tmp_path: Path) -> None:
    stores = open_sqlite(str(tmp_path / "old.sqlite3"))  # PostgreSQL refuses such JSON outright
    await stores.database.migrate()
    try:
        u = await stores.users.create_user("old@example.com", None)
        [m] = await stores.memories.insert(u.id, [NewMemory("old", "k", unit_vector(1), ("t\udfff",))])
        await _set_metadata_raw(stores, m.id, '{"n": NaN, "k": "\\udfff"}')
        [got] = await stores.memories.get(u.id, [m.id])
        assert got.metadata == {"n": None, "k": "\ufffd"} and got.tags == ("t\ufffd",)
    finally:
        await stores.database.close()
