"""MCP memory tools against rows stored before the JSON rules and against huge cursors (issue 12)."""

from __future__ import annotations

import pytest

from jean_memory.memory.service import encode_cursor
from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.legacy_rows import LEGACY_TEXT, store_legacy_rows
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


async def test_rows_stored_before_the_rules_list_and_search(connect: Connect, runtime: Runtime,
                                                            alice: Account) -> None:
    mid = await store_legacy_rows(runtime, alice.user_id)
    async with connect(alice) as s:
        listed = data(await s.call_tool("list_memories", {}))
        found = data(await s.call_tool("search_memory", {"query": "where is the shed key"}))
        deep = data(await s.call_tool("deep_memory_query", {"search_query": "shed key"}))
    assert listed["memories"][0]["id"] == mid and listed["memories"][0]["tags"] == ["garden", "odd\ufffd"]
    assert found["results"][0]["text"] == LEGACY_TEXT
    assert deep["memories"][0]["id"] == mid


@pytest.mark.parametrize("seq", [10**28, 2**63, -1])
async def test_a_huge_cursor_is_a_tool_error(connect: Connect, alice: Account, seq: int) -> None:
    async with connect(alice) as s:
        result = await s.call_tool("list_memories", {"cursor": encode_cursor(seq)})
    assert result.is_error and text(result).endswith("cursor is not one this server gave out")
