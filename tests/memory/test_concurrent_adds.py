"""Concurrent adds of the same text: one memory, every caller gets it, nobody gets an error."""

from __future__ import annotations

import anyio
import pytest

from jean_memory.memory.service import AddResult
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_racing_adds_of_one_text_store_it_once(runtime: Runtime, alice: Account) -> None:
    results: list[list[AddResult]] = []

    async def add() -> None:
        results.append(await runtime.memory.add(alice.user_id, "My bike is a green Brompton"))

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(add)
    assert len(results) == 8
    assert len({r[0].memory.id for r in results}) == 1
    assert sum(r[0].created for r in results) == 1
    assert await runtime.memory.count(alice.user_id) == 1
