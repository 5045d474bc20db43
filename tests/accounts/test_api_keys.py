"""Verified API keys are remembered for a moment (``KeyCache``); revocation still takes effect within seconds."""

from __future__ import annotations

import httpx
import pytest

from jean_memory.accounts.api_keys import KEY_CACHE_SECONDS, KeyCache
from jean_memory.runtime import Runtime
from jean_memory.store.records import ApiKey
from tests.conftest import Account

pytestmark = pytest.mark.anyio


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _count_lookups(runtime: Runtime) -> list[str]:
    store = runtime.stores.api_keys
    inner = store.find_key
    asked: list[str] = []

    async def find_key(key_hash: str) -> ApiKey | None:
        asked.append(key_hash)
        return await inner(key_hash)

    store.find_key = find_key  # type: ignore[method-assign]
    return asked


async def test_a_key_seen_moments_ago_is_not_looked_up_again(client: httpx.AsyncClient, alice: Account,
                                                             runtime: Runtime) -> None:
    asked = _count_lookups(runtime)
    for _ in range(3):
        assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 200
    assert len(asked) == 1
    r = await client.get("/api/v1/memories", headers={"Authorization": "Bearer jm_" + "x" * 43})
    assert r.status_code == 401
    r = await client.get("/api/v1/memories", headers={"Authorization": "Bearer jm_" + "x" * 43})
    assert r.status_code == 401 and len(asked) == 3  # an unknown key is asked about every time


async def test_a_key_revoked_by_another_process_stops_working_within_seconds(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    clock = _Clock()
    runtime.extras["api_key_cache"] = KeyCache(clock=clock)
    assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 200
    key = (await runtime.stores.api_keys.list_keys(alice.user_id))[0]
    assert await runtime.stores.api_keys.revoke_key(alice.user_id, key.id)  # as the CLI does, in its own process
    clock.now += KEY_CACHE_SECONDS / 2
    assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 200
    clock.now += KEY_CACHE_SECONDS / 2
    assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 401
    assert (await client.post("/mcp", headers=alice.headers, json={})).status_code == 401


def test_forget_drops_one_key_or_every_key_of_an_account() -> None:
    from jean_memory.accounts.api_keys import Principal

    cache = KeyCache()
    cache.put("h1", Principal("u1", (), "api-key:k1", "api_key"))
    cache.put("h2", Principal("u1", (), "api-key:k2", "api_key"))
    cache.put("h3", Principal("u2", (), "api-key:k3", "api_key"))
    cache.forget("u1", "k1")
    assert cache.get("h1") is None and cache.get("h2") is not None
    cache.forget("u1")
    assert cache.get("h2") is None and cache.get("h3") is not None
    cache.forget("u2", "k1")  # another account's key id never matches
    assert cache.get("h3") is not None
