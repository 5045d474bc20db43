"""Current truth over the real SDK client: a change puts the current value first and marks the stale one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


async def test_a_change_puts_the_current_value_first_and_marks_the_stale_one(connect: Connect, alice: Account) -> None:
    async with connect(alice) as s:
        first = data(await s.call_tool("add_memories", {"text": "My sister Anna lives in Berlin, Germany"}))
        await s.call_tool("add_memories", {"text": ["My friend Tom lives in Berlin", "I take the window seat"]})
        moved = await s.call_tool("add_memories", {"text": "My sister Anna lives in Munich now"})
        added = data(moved)
        old_id = first["saved"][0]["id"]
        new_id = added["saved"][0]["id"]
        assert [m["id"] for m in added["replaced"]] == [old_id]
        assert added["replaced"][0]["superseded_by"] == new_id and "No longer current" in text(moved)

        found = data(await s.call_tool("search_memory", {"query": "where does my sister live"}))
        assert found["results"][0]["id"] == new_id
        assert found["results"][0]["superseded_by"] is None and found["results"][0]["valid_until"] is None
        assert old_id not in [r["id"] for r in found["results"]]
        assert "My friend Tom lives in Berlin" in [r["text"] for r in found["results"]]  # unrelated: current

        past = await s.call_tool("search_memory", {"query": "where does my sister live", "include_history": True})
        stale = next(r for r in data(past)["results"] if r["id"] == old_id)
        assert stale["superseded_by"] == new_id and stale["valid_until"]
        assert "REPLACED" in text(past)
        listed = data(await s.call_tool("list_memories", {"include_history": True}))
        assert old_id in [m["id"] for m in listed["memories"]]
        assert old_id not in [m["id"] for m in data(await s.call_tool("list_memories", {}))["memories"]]

        context = await s.call_tool("jean_memory", {"user_message": "Where does my sister Anna live?", "depth": 2})
        relevant = data(context)["relevant"]
        assert old_id not in [m["id"] for m in relevant]
        anna = next(m for m in relevant if m["id"] == new_id)
        assert anna["change"].startswith("changed from Berlin on ")
        assert "(changed from Berlin on " in text(context)


async def test_update_memory_keeps_history_and_expiry_removes_from_search(connect: Connect, alice: Account,
                                                                         runtime: Runtime) -> None:
    async with connect(alice) as s:
        saved = data(await s.call_tool("add_memories", {"text": "My manager is Priya"}))["saved"][0]
        await s.call_tool("update_memory", {"memory_id": saved["id"], "text": "My manager is Omar"})
        found = data(await s.call_tool("search_memory", {"query": "who is my manager", "include_history": True}))
        texts = {r["text"]: r for r in found["results"]}
        assert texts["My manager is Omar"]["id"] == saved["id"]
        assert texts["My manager is Priya"]["superseded_by"] == saved["id"]

        trip = data(await s.call_tool("add_memories", {"text": "I am in Kyoto this week", "expires": "2d"}))
        item = trip["saved"][0]
        assert item["expires_at"] and item["superseded_by"] is None
        bad = await s.call_tool("add_memories", {"text": "I am in Oslo", "expires": "whenever"})
        assert bad.is_error and "expires must be" in text(bad)
    await runtime.memory.add(alice.user_id, "I am in Lima today", expires=1.0)  # an expiry already past
    async with connect(alice) as s:
        hits = data(await s.call_tool("search_memory", {"query": "Lima"}))["results"]
        assert "I am in Lima today" not in [r["text"] for r in hits]
        assert "I am in Kyoto this week" in [r["text"] for r in data(await s.call_tool(
            "search_memory", {"query": "Kyoto"}))["results"]]


async def test_relative_dates_are_resolved_when_saved_and_shown(connect: Connect, alice: Account,
                                                                runtime: Runtime) -> None:
    async with connect(alice) as s:
        saved = data(await s.call_tool("add_memories", {"text": "Dentist appointment next Tuesday at 3pm"}))
        [dated] = saved["saved"][0]["dates"]
        memory = await runtime.memory.get(alice.user_id, saved["saved"][0]["id"])
        assert dated["phrase"].lower() == "next tuesday" and dated["start"] == dated["end"]
        day = date.fromisoformat(dated["start"])
        made = datetime.fromtimestamp(memory.created_at, UTC).date()
        assert day.weekday() == 1 and 1 < (day - made).days <= 14
        found = await s.call_tool("search_memory", {"query": "dentist appointment"})
        assert f"(next Tuesday = {dated['start']})" in text(found).replace("next tuesday", "next Tuesday")
        plain = data(await s.call_tool("add_memories", {"text": "I like oolong tea"}))["saved"][0]
        assert "dates" not in plain
