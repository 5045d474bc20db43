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
    # Spaces (issue 21): a renamed personal space, a shared one with a member, an invitation and activity.
    friend = await s.users.create_user("friend@example.com", None)
    await s.spaces.rename_space(u.id, u.id, "Home")
    work = await s.spaces.create_space(u.id, "Work")
    await s.spaces.set_member(work.id, friend.id, "writer")
    await s.spaces.invite(work.id, "later@example.com", "reader", u.id)
    [shared] = await s.memories.insert(u.id, [NewMemory("the standup is at ten", "k3", unit_vector(4),
                                                        space_id=work.id, author_id=friend.id)])
    await s.api_keys.create_key(u.id, "work only", "work-hash", "jm_work", (work.id,), work.id)
    before = {"user": u, "memory": mems[0], "shared": shared, "spaces": await s.spaces.spaces_of(u.id),
              "friend": await s.spaces.spaces_of(friend.id), "invitations": await s.spaces.invitations(work.id),
              "activity": await s.spaces.activity(work.id, 10)}
    await s.database.close()
    return before


async def _check(url: str, before: dict[str, object]) -> None:
    s = open_postgres(url)
    try:
        user = await s.users.get_user_by_email("move@example.com")
        assert user == before["user"]
        key = await s.api_keys.find_key("key-hash")
        assert key is not None and key.user_id == user.id
        [m] = await s.memories.page(user.id, 10, None, Filters(spaces=(user.id,)))  # the deleted one stays deleted
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
        spaces = await s.spaces.spaces_of(user.id)
        assert spaces == before["spaces"] and [x.name for x in spaces] == ["Home", "Work"]
        work = spaces[1]
        assert await s.spaces.spaces_of(before["friend"][0].owner_id) == before["friend"]  # type: ignore[index]
        assert await s.spaces.invitations(work.id) == before["invitations"]
        assert await s.memories.get_in_spaces([work.id], [before["shared"].id]) == [before["shared"]]  # type: ignore[attr-defined]
        key = await s.api_keys.find_key("work-hash")
        assert key is not None and key.spaces == (work.id,) and key.write_space == work.id
        copied = await s.spaces.activity(work.id, 10)
        assert copied == before["activity"] and [a.action for a in copied] == ["add"]
        await s.memories.delete(user.id, [before["shared"].id])  # type: ignore[attr-defined]
        [latest, _] = await s.spaces.activity(work.id, 10)
        assert latest.action == "delete" and latest.seq > copied[0].seq
    finally:
        await s.database.close()


def test_copy_moves_everything_and_refuses_a_non_empty_target(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(tmp_path / "old.sqlite3")
    before = asyncio.run(_fill(source))
    monkeypatch.setenv("JEAN_MEMORY_DATABASE_URL", f"sqlite:///{source}")
    assert main(["copy", "--to", postgres_url]) == 0
    assert "2 users, 3 spaces, 1 space_members" in capsys.readouterr().err
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
