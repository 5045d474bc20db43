"""PostgreSQL-only properties: what several replicas (several pools on one database) must agree on."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import numpy as np
import pytest

from jean_memory.store import Stores
from jean_memory.store.oauth import AuthCode, OAuthClient
from jean_memory.store.postgres import memories as pg_memories
from jean_memory.store.postgres import open_postgres
from jean_memory.store.records import Filters, NewMemory

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


@pytest.fixture
async def replicas(postgres_url: str) -> AsyncIterator[tuple[Stores, Stores]]:
    a, b = open_postgres(postgres_url, max_connections=4), open_postgres(postgres_url, max_connections=4)
    try:
        yield a, b
    finally:
        await a.database.close()
        await b.database.close()


async def test_concurrent_migrations_apply_each_version_once(replicas: tuple[Stores, Stores]) -> None:
    a, b = replicas
    ran: list[int] = []

    async def migrate(s: Stores) -> None:
        ran.append(await s.database.migrate())

    async with anyio.create_task_group() as tg:  # the template database is migrated already: nothing to do
        tg.start_soon(migrate, a)
        tg.start_soon(migrate, b)
    assert ran == [0, 0]
    assert await a.database.ping()


async def test_rate_limit_counts_hits_from_every_replica(replicas: tuple[Stores, Stores]) -> None:
    a, b = replicas
    waits: list[int | None] = []

    async def hit(s: Stores) -> None:
        waits.append(await s.rate_limits.hit("register:127.0.0.1", 10, 60))

    async with anyio.create_task_group() as tg:
        for i in range(24):
            tg.start_soon(hit, a if i % 2 else b)
    assert waits.count(None) == 10
    assert all(w is not None and 1 <= w <= 60 for w in waits if w is not None)


async def test_a_code_raced_on_two_replicas_is_redeemed_once(replicas: tuple[Stores, Stores]) -> None:
    a, b = replicas
    user = await a.users.create_user("race@example.com", None)
    now = time.time()
    await a.oauth.save_client(OAuthClient("c1", "Racer", ("https://x.example/cb",), "none",
                                          ("authorization_code",), "memory:read", {}, now))
    await a.oauth.create_code(AuthCode("h", "c1", user.id, "https://x.example/cb", "chal", "r", "memory:read",
                                       "fam", now + 60))
    outcomes: list[str] = []

    async def consume(s: Stores) -> None:
        outcomes.append((await s.oauth.consume_code("h", time.time()))[0])

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume, a)
        tg.start_soon(consume, b)
    assert sorted(outcomes) == ["ok", "reused"]


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


async def test_hnsw_path_keeps_recall_for_one_user_among_many(
    replicas: tuple[Stores, Stores], monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = replicas
    rng = np.random.default_rng(5)
    owner = await s.users.create_user("big@example.com", None)
    other = await s.users.create_user("other@example.com", None)
    mine, theirs = _unit(rng.normal(size=(300, 384))), _unit(rng.normal(size=(1500, 384)))
    await s.memories.insert(owner.id, [NewMemory(f"m{i}", f"k{i}", v.tobytes()) for i, v in enumerate(mine)])
    await s.memories.insert(other.id, [NewMemory(f"t{i}", f"k{i}", v.tobytes()) for i, v in enumerate(theirs)])
    q = _unit(mine[0] + rng.normal(scale=0.5, size=384))
    exact = await s.memories.dense(owner.id, q, 10, Filters())
    monkeypatch.setattr(pg_memories, "EXACT_LIMIT", 0)  # force the HNSW + iterative scan plan
    monkeypatch.setattr(pg_memories, "EXACT_FALLBACK", False)
    approx = await s.memories.dense(owner.id, q, 10, Filters())
    assert len(exact) == len(approx) == 10
    assert len({h.seq for h in exact} & {h.seq for h in approx}) >= 9
    assert [h.score for h in approx] == sorted((h.score for h in approx), reverse=True)
    expected = np.sort(mine @ q)[::-1][:10]
    assert np.allclose([h.score for h in exact], expected, atol=1e-5)
    # Narrow filters on a big user: the walk comes back short and the store answers exactly instead.
    monkeypatch.setattr(pg_memories, "EXACT_FALLBACK", True)
    rare = await s.memories.insert(owner.id, [NewMemory(f"r{i}", f"r{i}", v.tobytes(), ("rare",))
                                              for i, v in enumerate(_unit(rng.normal(size=(3, 384))))])
    tagged = await s.memories.dense(owner.id, q, 10, Filters(tags=("rare",)))
    assert sorted(h.seq for h in tagged) == sorted(m.seq for m in rare)


async def test_ping_reports_an_unreachable_server_quickly(tmp_path: object) -> None:
    s = open_postgres(f"postgresql://postgres@/nowhere?host={tmp_path}", max_connections=1)
    with anyio.fail_after(10):
        assert await s.database.ping() is False
    await s.database.close()
