"""Migration 0010 (spaces, issue 21) on a database with rows written at migration 0009, on every backend: each
account gets its personal space, every memory and document moves into it, keys and grants keep every space."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jean_memory.store import Stores, open_sqlite
from jean_memory.store.migrations import Migration, load
from jean_memory.store.postgres import open_postgres
from jean_memory.store.records import Filters, NewMemory
from jean_memory.store.space_records import Reachable
from tests.pg_fixtures import PostgresServer, drop_database
from tests.store.conftest import BACKENDS
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio
_names = itertools.count()
_ROWS = [  # (table, columns, values) as the schema at 0009 holds them
    ("users", "id, email, created_at", ("u1", "one@example.com", 1.0)),
    ("users", "id, email, created_at", ("u2", "two@example.com", 2.0)),
    ("api_keys", "id, user_id, name, key_hash, prefix, created_at", ("key1", "u1", "cli", "h1", "jm_1", 3.0)),
    ("oauth_clients", "client_id, client_name, redirect_uris, auth_method, grant_types, scope, metadata, created_at",
     ("c1", "Claude", '["https://claude.ai/cb"]', "none", '["authorization_code"]', "memory:read", "{}", 3.0)),
    ("oauth_grants", "user_id, client_id, scope, granted_at", ("u1", "c1", "memory:read", 3.0)),
    ("documents", "id, user_id, title, content, created_at, updated_at", ("d1", "u1", "Notes", "text", 4.0, 4.0)),
    ("memories", "id, user_id, text, key, created_at, updated_at", ("m1", "u1", "the shed key hangs by the door",
                                                                    "shed", 5.0, 5.0)),
    ("memories", "id, user_id, text, key, created_at, updated_at", ("m2", "u2", "the shed key hangs by the door",
                                                                    "shed", 6.0, 6.0)),
    ("memories", "id, user_id, document_id, text, key, created_at, updated_at",
     ("c1", "u1", "d1", "a chunk of the notes", "chunk", 4.0, 4.0)),
]


def _before_spaces(backend: str) -> list[Migration]:
    return [m for m in load(backend) if m.version < 10]


@pytest.fixture(params=BACKENDS)
async def migrated(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                   ) -> AsyncIterator[Stores]:
    """Stores migrated to 0009, filled with ``_ROWS`` in plain SQL, then migrated to the latest version."""
    database = None
    if request.param == "sqlite":
        import jean_memory.store.sqlite.db as db_module

        s = open_sqlite(str(tmp_path / "old.sqlite3"))
        marks = "?"
    else:
        import jean_memory.store.postgres.db as db_module  # type: ignore[no-redef]

        server: PostgresServer = request.getfixturevalue("postgres_server")
        database = f"jm_old_{next(_names)}"
        with server.admin() as conn:
            conn.execute(f"CREATE DATABASE {database}")
        s = open_postgres(server.url(database), max_connections=2)
        marks = "%s"
    with monkeypatch.context() as patch:
        patch.setattr(db_module, "load", _before_spaces)
        await s.database.migrate()
    await _insert(s, marks)
    assert await s.database.migrate() >= 1  # 0010 and anything after it
    try:
        yield s
    finally:
        await s.database.close()
        if database is not None:
            drop_database(server, database)


async def _insert(s: Stores, marks: str) -> None:
    statements = [(f"INSERT INTO {table} ({columns}) VALUES ({','.join([marks] * len(values))})", values)
                  for table, columns, values in _ROWS]
    db: Any = s.database
    if marks == "?":
        db.write_sync(lambda c: [c.execute(sql, values) for sql, values in statements])
    else:
        async with db.tx() as conn:
            for sql, values in statements:
                await conn.execute(sql, values)


async def test_migration_gives_every_account_its_personal_space_with_its_rows(migrated: Stores) -> None:
    s = migrated
    for uid, email in (("u1", "one@example.com"), ("u2", "two@example.com")):
        [personal] = await s.spaces.spaces_of(uid)
        assert (personal.id, personal.name, personal.owner_email, personal.role) == (uid, "personal", email, "owner")
    [m1] = await s.memories.page("u1", 10, None, Filters(spaces=("u1",)))
    assert (m1.id, m1.space_id, m1.author_id) == ("m1", "u1", None)
    [chunk] = [m for m in await s.memories.page("u1", 10, None, Filters(include_chunks=True)) if m.document_id]
    assert chunk.space_id == "u1"
    doc = await s.documents.get_document("u1", "d1")
    assert doc is not None and doc.space_id == "u1"
    assert [d.id for d in await s.documents.list_documents("u1", 10, 0, ["u1"])] == ["d1"]
    assert {m.id for m in await s.memories.get_in_spaces(["u1", "u2"], ["m1", "m2"])} == {"m1", "m2"}
    assert await s.spaces.key_reach("key1") == Reachable()  # every space its account owns, as before
    assert await s.spaces.grant_reach("u1", "c1") == Reachable()
    # The key index is per space now: the same text in a new space of u1 is a second memory.
    work = await s.spaces.create_space("u1", "Work")
    [again] = await s.memories.insert("u1", [NewMemory("the shed key hangs by the door", "shed", unit_vector(1),
                                                       space_id=work.id)])
    assert again.id != "m1" and await s.memories.count("u1") == 2
    fresh = await s.users.create_user("three@example.com", None)  # the trigger still gives new accounts one
    assert [sp.id for sp in await s.spaces.spaces_of(fresh.id)] == [fresh.id]
