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
    await runtime.memory.add(alice.user_id, "I live in Leeds")
    [york] = await runtime.memory.add(alice.user_id, "I live in York")
    [leeds] = york.flagged  # Alice's flagged memory: Bob can neither confirm nor dismiss it, nor replace hers
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
            ("resolve_flag", {"memory_id": leeds.id, "decision": "confirm"},
             {"memory_id": "0" * 36, "decision": "confirm"}),
            ("resolve_flag", {"memory_id": leeds.id, "decision": "dismiss"},
             {"memory_id": "0" * 36, "decision": "dismiss"}),
            ("add_memories", {"text": "I live in Hull", "replaces": [mid]},
             {"text": "I live in Hull", "replaces": ["0" * 36]}),
            ("add_memories", {"text": "I live in Hull", "replaces": [york.memory.id]},
             {"text": "I live in Hull", "replaces": ["0" * 36]}),
        ]:
            theirs, nobodys = await s.call_tool(tool, args), await s.call_tool(tool, fake)
            assert theirs.is_error and nobodys.is_error, tool
            theirs_text = text(theirs)
            for known in (mid, doc.id, leeds.id, york.memory.id):
                theirs_text = theirs_text.replace(known, "ID")
            unknown[tool] = (theirs_text, text(nobodys).replace("0" * 36, "ID"))
            assert unknown[tool][0] == unknown[tool][1], tool
        assert data(await s.call_tool("delete_memories", {"memory_ids": [mid]})) == {"deleted": 0, "not_found": 1}
        # Bob's own memory that says what Alice's flagged one says is his alone: it flags nothing of hers
        added_by_bob = data(await s.call_tool("add_memories", {"text": "I live in Sheffield"}))
        assert added_by_bob["flagged"] == [] and added_by_bob["replaced"] == []
    assert await runtime.memory.count(bob.user_id) == 1
    assert (await runtime.memory.get(alice.user_id, mid)).text == secret
    assert (await runtime.memory.get_document(alice.user_id, doc.id)).title == "Lighthouse diary"
    assert await runtime.memory.count(alice.user_id) == 3
    after = await runtime.memory.get(alice.user_id, leeds.id)
    assert after.superseded_by is None and after.possibly_outdated_by == york.memory.id
    assert (await runtime.memory.get(alice.user_id, york.memory.id)).superseded_by is None
