"""add_memories, search_memory, list_memories, update_memory, delete_memories over the real SDK client."""

from __future__ import annotations

import pytest

from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


async def test_tools_are_described_and_annotated(connect: Connect, alice: Account) -> None:
    async with connect(alice) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == {"jean_memory", "add_memories", "search_memory", "list_memories", "update_memory",
                          "delete_memories", "ask_memory", "deep_memory_query", "store_document", "get_document",
                          "search", "fetch", "resolve_flag", "list_spaces"}
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None
    assert tools["delete_memories"].annotations.destructive_hint is True
    assert tools["search_memory"].annotations.read_only_hint is True
    assert tools["jean_memory"].input_schema["required"] == ["user_message"]
    assert set(tools["search_memory"].input_schema["properties"]) == {"query", "limit", "tags", "since", "until",
                                                                      "include_history", "space"}


async def test_add_search_list_update_delete(connect: Connect, runtime, alice: Account) -> None:
    async with connect(alice) as s:
        added = data(await s.call_tool("add_memories", {"text": ["I live in Lisbon", "I am allergic to peanuts"],
                                                         "tags": ["Profile"]}))
        assert [m["text"] for m in added["saved"]] == ["I live in Lisbon", "I am allergic to peanuts"]
        assert added["saved"][0]["tags"] == ["profile"]
        assert added["saved"][0]["source"].startswith("api-key:")
        again = data(await s.call_tool("add_memories", {"text": "i live in lisbon!"}))
        assert again["saved"] == [] and again["already_known"][0]["id"] == added["saved"][0]["id"]
        assert await runtime.memory.count(alice.user_id) == 2

        found = data(await s.call_tool("search_memory", {"query": "food allergy peanuts", "limit": 1}))
        assert [r["text"] for r in found["results"]] == ["I am allergic to peanuts"]
        assert data(await s.call_tool("search_memory", {"query": "Lisbon", "tags": ["nope"]}))["results"] == []
        assert data(await s.call_tool("search_memory", {"query": "Lisbon", "since": "2999-01-01"}))["results"] == []
        assert data(await s.call_tool("search_memory", {"query": "Lisbon", "until": "2000-01-01"}))["results"] == []
        recent = data(await s.call_tool("search_memory", {"query": "Lisbon", "since": "2000-01-01T00:00:00Z"}))
        assert recent["results"][0]["text"] == "I live in Lisbon"

        page1 = data(await s.call_tool("list_memories", {"limit": 1}))
        assert page1["memories"][0]["text"] == "I am allergic to peanuts" and page1["next_cursor"]
        page2 = data(await s.call_tool("list_memories", {"limit": 1, "cursor": page1["next_cursor"]}))
        assert page2["memories"][0]["text"] == "I live in Lisbon" and "next_cursor" not in page2

        mid = added["saved"][0]["id"]
        updated = data(await s.call_tool("update_memory", {"memory_id": mid, "text": "I live in Porto"}))
        assert updated["memory"]["text"] == "I live in Porto"
        assert (await runtime.memory.get(alice.user_id, mid)).text == "I live in Porto"

        deleted = data(await s.call_tool("delete_memories", {"memory_ids": [mid, "00000000-0000-0000-0000-0"]}))
        assert deleted == {"deleted": 1, "not_found": 1}
        assert await runtime.memory.count(alice.user_id) == 1


@pytest.mark.parametrize(("tool", "args", "message"), [
    ("add_memories", {"text": ""}, "empty"),
    ("add_memories", {"text": []}, "at least one"),
    ("add_memories", {"text": ["ok fact"] * 101}, "limit is 100"),
    ("add_memories", {"text": "x" * (64 * 1024 + 1)}, "limit is 65536 bytes"),
    ("add_memories", {"text": 5}, "text"),
    ("add_memories", {"text": "fine", "tags": ["t"] * 21}, "at most 20 tags"),
    ("search_memory", {"query": "  "}, "empty"),
    ("search_memory", {"query": "q" * 2001}, "limit is 2000"),
    ("search_memory", {"query": "q", "limit": 0}, "between 1 and 100"),
    ("search_memory", {"query": "q", "since": "last tuesday"}, "ISO 8601"),
    ("list_memories", {"cursor": "garbage!!"}, "cursor"),
    ("list_memories", {"limit": 10_000}, "between 1 and 200"),
    ("update_memory", {"memory_id": "no-such-id", "text": "new"}, "no memory with id"),
    ("update_memory", {"memory_id": "x" * 65, "text": "new"}, "ids are strings"),
    ("delete_memories", {"memory_ids": []}, "non-empty"),
    ("search_memory", {}, "query"),
])
async def test_bad_arguments_are_tool_errors(connect: Connect, runtime, alice: Account, tool: str,
                                             args: dict[str, object], message: str) -> None:
    async with connect(alice) as s:
        result = await s.call_tool(tool, args)
    assert result.is_error
    assert message in text(result)
    assert len(text(result)) < 2000
    assert await runtime.memory.count(alice.user_id) == 0


async def test_results_stay_bounded(connect: Connect, alice: Account) -> None:
    big = [f"Fact number {i}: " + "lorem ipsum dolor sit amet " * 400 for i in range(30)]
    async with connect(alice) as s:
        added = await s.call_tool("add_memories", {"text": big})
        assert not added.is_error and len(text(added)) < 20_000
        listed = await s.call_tool("list_memories", {"limit": 200})
        found = await s.call_tool("search_memory", {"query": "lorem ipsum", "limit": 100})
        for result in (listed, found):
            assert len(text(result)) < 20_000
            assert len(str(result.structured_content)) < 20_000
        page = data(listed)
        assert page["memories"][0]["truncated"] is True and page["next_cursor"]
        rest = data(await s.call_tool("list_memories", {"limit": 200, "cursor": page["next_cursor"]}))
        assert rest["memories"][0]["id"] not in {m["id"] for m in page["memories"]}
