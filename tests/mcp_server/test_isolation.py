"""Bob cannot see, change or delete Alice's data through any tool; her ids look like unknown ids to him."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


async def test_no_tool_crosses_users(connect: Connect, runtime, alice: Account, bob: Account) -> None:
    secret = "My bank PIN hint is the lighthouse year"
    [added] = await runtime.memory.add(alice.user_id, secret)
    doc = await runtime.memory.store_document(alice.user_id, "Lighthouse diary", "The lighthouse was built in 1858.")
    mid = added.memory.id
    async with connect(bob) as s:
        reads = [
            ("search_memory", {"query": "lighthouse bank PIN"}),
            ("list_memories", {}),
            ("ask_memory", {"question": "What is my bank PIN hint?"}),
            ("deep_memory_query", {"search_query": "lighthouse"}),
            ("search", {"query": "lighthouse"}),
            ("jean_memory", {"user_message": "lighthouse bank PIN", "is_new_conversation": True, "depth": 3}),
        ]
        for tool, args in reads:
            result = await s.call_tool(tool, args)
            assert not result.is_error, (tool, text(result))
            assert "lighthouse" not in (text(result) + json.dumps(result.structured_content)).lower().replace(
                "lighthouse bank pin", ""), tool
        unknown = {}
        for tool, args, fake in [
            ("update_memory", {"memory_id": mid, "text": "hacked"}, {"memory_id": "0" * 36, "text": "hacked"}),
            ("get_document", {"document_id": doc.id}, {"document_id": "0" * 36}),
            ("fetch", {"id": f"memory:{mid}"}, {"id": "memory:" + "0" * 36}),
            ("fetch", {"id": f"document:{doc.id}"}, {"id": "document:" + "0" * 36}),
        ]:
            theirs, nobodys = await s.call_tool(tool, args), await s.call_tool(tool, fake)
            assert theirs.is_error and nobodys.is_error, tool
            unknown[tool] = (text(theirs).replace(mid, "ID").replace(doc.id, "ID"),
                             text(nobodys).replace("0" * 36, "ID"))
            assert unknown[tool][0] == unknown[tool][1], tool
        assert data(await s.call_tool("delete_memories", {"memory_ids": [mid]})) == {"deleted": 0, "not_found": 1}
    assert (await runtime.memory.get(alice.user_id, mid)).text == secret
    assert (await runtime.memory.get_document(alice.user_id, doc.id)).title == "Lighthouse diary"
    assert await runtime.memory.count(alice.user_id) == 1
