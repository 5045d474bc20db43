"""``jean-memory copy --to postgresql://...`` moves a SQLite deployment to PostgreSQL with ids, hashes and order."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from jean_memory.cli import main
from jean_memory.store import open_sqlite
from jean_memory.store.oauth import OAuthClient, TokenRecord
from jean_memory.store.postgres import open_postgres
from jean_memory.store.records import Document, Filters, NewMemory
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.postgres




async def _fill(path: str) -> dict[str, object]:
    s = open_sqlite(path)
    await s.database.migrate()
    u = await s.users.create_user("move@example.com", "argon2-hash", "Mover")
    await s.api_keys.create_key(u.id, "cli", "key-hash", "jm_move")
    mems = await s.memories.insert(u.id, [
        NewMemory("I moved to Lisbon in 2021", "k1", unit_vector(1), ("home",), "claude", {"src": "chat"}),
        NewMemory("my cat is called Miso", "k2", unit_vector(2)),
    ])
    await s.memories.delete(u.id, [mems[1].id])
    now = time.time()
    await s.documents.insert_document(Document("d1", u.id, "Lease", "full lease text", "text", None, None, {}, now,
                                               now), [NewMemory("the lease ends in March", "c", unit_vector(3),
                                                                document_id="d1")])
    await s.oauth.save_client(OAuthClient("client-1", "Claude", ("https://claude.ai/cb",), "none",
                                          ("authorization_code", "refresh_token"), "memory:read", {}, now))
    await s.oauth.issue_tokens([TokenRecord("tok-hash", "access", "fam", "client-1", u.id, "memory:read", "r", now,
                                            now + 3600)], now)
    await s.sessions.create_session("session-hash", u.id, now + 3600)
    await s.database.close()
    return {"user": u, "memory": mems[0]}


async def _check(url: str, before: dict[str, object]) -> None:
    s = open_postgres(url)
    try:
        user = await s.users.get_user_by_email("move@example.com")
        assert user == before["user"]
        key = await s.api_keys.find_key("key-hash")
        assert key is not None and key.user_id == user.id
        [m] = await s.memories.page(user.id, 10, None, Filters())  # the deleted one stays deleted
        assert m == before["memory"]
        assert [h.seq for h in await s.memories.lexical(user.id, ["lisbon"], 5, Filters())] == [m.seq]
        dense = await s.memories.dense(user.id, np.frombuffer(unit_vector(1), dtype=np.float32), 5, Filters())
        assert dense[0].seq == m.seq and dense[0].score == pytest.approx(1.0, abs=1e-4)
        assert len(await s.memories.lexical(user.id, ["lease"], 5, Filters(include_chunks=True))) == 1
        token = await s.oauth.get_token("tok-hash")
        assert token is not None and token.user_id == user.id
        assert await s.sessions.get_session("session-hash", time.time()) is not None
        [fresh] = await s.memories.insert(user.id, [NewMemory("a new fact", "k9", unit_vector(9))])
        assert fresh.seq > m.seq
    finally:
        await s.database.close()


def test_copy_moves_everything_and_refuses_a_non_empty_target(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(tmp_path / "old.sqlite3")
    before = asyncio.run(_fill(source))
    monkeypatch.setenv("JEAN_MEMORY_DATABASE_URL", f"sqlite:///{source}")
    assert main(["copy", "--to", postgres_url]) == 0
    assert "1 users" in capsys.readouterr().err
    asyncio.run(_check(postgres_url, before))
    with pytest.raises(SystemExit) as refused:
        main(["copy", "--to", postgres_url])
    assert refused.value.code == 1
    assert "already has accounts" in capsys.readouterr().err


def test_copy_repairs_json_postgresql_would_refuse(tmp_path: Path, postgres_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows stored before the JSON rules (issue 12): a lone surrogate or a NUL becomes U+FFFD; the move completes."""
    source = str(tmp_path / "old.sqlite3")

    async def fill() -> str:
        s = open_sqlite(source)
        await s.database.migrate()
        u = await s.users.create_user("odd@example.com", None)
        await s.memories.insert(u.id, [NewMemory("odd", "k1", unit_vector(1), ("t\udfff",), None,
                                                 {"k": "\udfff", "n\x00": "a\x00b"})])
        await s.database.close()
        return u.id

    user_id = asyncio.run(fill())
    monkeypatch.setenv("JEAN_MEMORY_DATABASE_URL", f"sqlite:///{source}")
    assert main(["copy", "--to", postgres_url]) == 0

    async def check() -> None:
        s = open_postgres(postgres_url)
        try:
            [m] = await s.memories.page(user_id, 10, None, Filters())
            assert m.tags == ("t\ufffd",) and m.metadata == {"k": "\ufffd", "n\ufffd": "a\ufffdb"}
        finally:
            await s.database.close()

    asyncio.run(check())
