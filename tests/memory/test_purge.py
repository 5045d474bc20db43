"""The purge job erases soft-deleted memories once the retention has passed, and nothing else."""

from __future__ import annotations

import time

import pytest

from jean_memory.memory.purge import purge_once
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_purge_respects_the_retention(runtime: Runtime, alice: Account) -> None:
    kept, gone = await runtime.memory.add(alice.user_id, ["I keep bees", "I used to smoke"])
    await runtime.memory.delete(alice.user_id, [gone.memory.id])
    assert await purge_once(runtime) == 0  # deleted just now: still within the 30-day retention
    later = time.time() + runtime.settings.deleted_retention + 1
    assert await purge_once(runtime, now=later) == 1
    assert [m.id for m in (await runtime.memory.list(alice.user_id)).items] == [kept.memory.id]
    # A deleted (or erased) memory never counts as a duplicate: the same text is stored anew.
    [again] = await runtime.memory.add(alice.user_id, "I used to smoke")
    assert again.created
