"""LoginThrottleStore contract (every backend): failure counts that restart after a quiet period, are all counted
under concurrency and are forgotten on success; reservations that count once per reading; known sign-in sources;
the sweep."""

from __future__ import annotations

import asyncio

import pytest

from jean_memory.store import Stores

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.5


async def test_failures_count_restart_and_clear(stores: Stores) -> None:
    store = stores.logins
    assert await store.failures("acct", NOW - 100) is None
    assert [await store.record_failure("acct", NOW + i, NOW - 100) for i in range(3)] == [1, 2, 3]
    assert await store.failures("acct", NOW - 100) == (3, NOW + 2)
    assert await store.failures("acct", NOW + 3) is None  # the last failure is older than asked: forgotten
    assert await store.record_failure("acct", NOW + 500, NOW + 400) == 1  # a quiet period starts again from one
    await store.record_success("acct", "203.0.113.7", NOW + 501)
    assert await store.failures("acct", 0) is None
    assert await store.is_known("acct", "203.0.113.7", NOW) and not await store.is_known("acct", "203.0.113.8", 0)
    assert not await store.is_known("acct", "203.0.113.7", NOW + 502)  # not seen since then
    assert not await store.is_known("other", "203.0.113.7", 0)


async def test_concurrent_failures_are_all_counted(stores: Stores) -> None:
    counts = await asyncio.gather(*(stores.logins.record_failure("acct", NOW, NOW - 10) for _ in range(12)))
    assert sorted(counts) == list(range(1, 13))


async def test_reserve_counts_only_on_what_was_seen(stores: Stores) -> None:
    store = stores.logins
    assert await store.reserve("acct", None, NOW, NOW - 100)
    assert not await store.reserve("acct", None, NOW + 1, NOW - 100)  # someone counted since: read again
    assert await store.failures("acct", NOW - 100) == (1, NOW)
    assert await store.reserve("acct", (1, NOW), NOW + 2, NOW - 100)
    assert not await store.reserve("acct", (1, NOW), NOW + 3, NOW - 100)
    assert await store.failures("acct", NOW - 100) == (2, NOW + 2)
    assert await store.reserve("acct", None, NOW + 500, NOW + 400)  # older than ``since``: starts again from one
    assert await store.failures("acct", 0) == (1, NOW + 500)


async def test_concurrent_reservations_on_one_reading_count_once(stores: Stores) -> None:
    await stores.logins.record_failure("acct", NOW, NOW - 10)
    won = await asyncio.gather(*(stores.logins.reserve("acct", (1, NOW), NOW + 1, NOW - 10) for _ in range(12)))
    assert sorted(won) == [False] * 11 + [True]
    first = await asyncio.gather(*(stores.logins.reserve("fresh", None, NOW, NOW - 10) for _ in range(12)))
    assert sorted(first) == [False] * 11 + [True]
    assert await stores.logins.failures("fresh", 0) == (1, NOW)


async def test_sweep_forgets_old_failures_and_sources(stores: Stores) -> None:
    store = stores.logins
    await store.record_failure("old", NOW - 100, 0)
    await store.record_failure("new", NOW, 0)
    await store.record_success("a", "2001:db8::/64", NOW - 100)
    await store.record_success("b", "2001:db8::/64", NOW)
    assert await store.sweep(NOW - 50, NOW - 50) == 2
    assert await store.failures("old", 0) is None and await store.failures("new", 0) == (1, NOW)
    assert not await store.is_known("a", "2001:db8::/64", 0) and await store.is_known("b", "2001:db8::/64", 0)
