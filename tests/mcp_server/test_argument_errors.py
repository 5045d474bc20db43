"""Wrong-typed or missing tool arguments: short, actionable tool errors (never pydantic's text, never a protocol
error), written from each tool's own input schema."""

from __future__ import annotations

import pytest

from jean_memory.mcp_server.arguments import describe, kind
from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("tool", "args", "message"), [
    ("add_memories", {"text": 5}, "text must be a string or a list of strings (got 5)."),
    ("add_memories", {"text": ["fine", 7]},
     "text must be a string or a list of strings (got a list of strings and numbers)."),
    ("search_memory", {"query": "q", "limit": "ten"}, "limit must be an integer between 1 and 100 (got a string)."),
    ("search_memory", {"query": "q", "limit": 0}, "limit must be an integer between 1 and 100 (got 0)."),
    ("search_memory", {"limit": 5}, "query is required."),
    ("list_memories", {"limit": 2.5}, "limit must be an integer between 1 and 200 (got 2.5)."),
    ("delete_memories", {"memory_ids": [1, 2]}, "memory_ids must be a list of strings (got a list of numbers)."),
    ("jean_memory", {"user_message": "hi", "depth": "deep"},
     "depth must be an integer between 0 and 3 (got a string)."),
    ("jean_memory", {"user_message": "hi", "is_new_conversation": {"yes": 1}},
     "is_new_conversation must be true or false (got an object)."),
    ("get_document", {"document_id": 3, "offset": -1},
     "document_id must be a string (got 3). offset must be an integer of at least 0 (got -1)."),
    ("fetch", {"id": None}, "id must be a string (got null)."),
])
async def test_wrong_arguments_get_short_tool_errors(connect: Connect, runtime, alice: Account, tool: str,
                                                     args: dict[str, object], message: str) -> None:
    async with connect(alice) as s:
        result = await s.call_tool(tool, args)  # a result, not a raised protocol error
        assert result.is_error
        assert text(result) == message
        assert "pydantic" not in text(result) and "validation error" not in text(result)
        assert not data(await s.call_tool("list_memories", {}))["memories"]  # the session still works
    assert await runtime.memory.count(alice.user_id) == 0


async def test_valid_arguments_still_coerce_as_before(connect: Connect, alice: Account) -> None:
    async with connect(alice) as s:
        saved = await s.call_tool("add_memories", {"text": "I drink genmaicha", "tags": ["tea"]})
        assert not saved.is_error
        found = await s.call_tool("search_memory", {"query": "tea", "limit": "5"})  # a numeric string is fine
        assert [m["text"] for m in data(found)["results"]] == ["I drink genmaicha"]


def test_describe_and_kind() -> None:
    assert describe({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}) == "an integer of at least 1"
    assert describe({"type": "number", "maximum": 2}) == "a number of at most 2"
    assert describe({"enum": ["a", "b"]}) == "one of 'a', 'b'"
    assert describe({"type": "array", "items": {"type": "integer"}, "maxItems": 3}) == "a list of integers (at most 3)"
    assert describe({}) == "a valid value"
    assert kind("a secret the caller sent") == "a string" and kind([]) == "an empty list" and kind(True) == "true"
