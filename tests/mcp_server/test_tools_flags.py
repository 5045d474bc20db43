"""Issue 19's scenarios through the MCP SDK client (in-process): ``replaces`` hides at once; a flag reaches the
assistant, and confirm and dismiss work; newest first for a changed number, time and place; a question that
matches only a replaced memory finds its current version; ``occurred_at`` orders memories and resolves dates."""

from __future__ import annotations

import pytest

from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


async def test_replaces_hides_the_named_memory_at_once(connect: Connect, runtime, alice: Account) -> None:
    async with connect(alice) as s:
        old = data(await s.call_tool("add_memories", {"text": "Book club meets at Clara's place"}))["saved"][0]
        other = data(await s.call_tool("add_memories", {"text": "I like rye bread"}))["saved"][0]
        new = data(await s.call_tool("add_memories", {"text": "Book club is at the library from now on",
                                                      "replaces": [old["id"]]}))
        assert [m["id"] for m in new["replaced"]] == [old["id"]]
        assert new["replaced"][0]["status"] == "replaced"
        found = data(await s.call_tool("search_memory", {"query": "where does book club meet"}))["results"]
        assert old["id"] not in [r["id"] for r in found] and found[0]["id"] == new["saved"][0]["id"]
        history = data(await s.call_tool("search_memory", {"query": "Clara book club", "include_history": True}))
        assert {r["id"]: r["status"] for r in history["results"]}[old["id"]] == "replaced"
        bad = await s.call_tool("add_memories", {"text": "Book club moved again", "replaces": ["no-such-id"]})
        assert bad.is_error and "replaces" in text(bad)
        assert (await runtime.memory.get(alice.user_id, other["id"])).superseded_by is None


async def test_a_flag_reaches_the_assistant_and_confirm_and_dismiss_work(connect: Connect, runtime,
                                                                         alice: Account) -> None:
    async with connect(alice) as s:
        chrome = data(await s.call_tool("add_memories", {"text": "Default browser: Chrome"}))["saved"][0]
        result = await s.call_tool("add_memories", {"text": "Firefox is my main browser now"})
        out = data(result)
        assert [f["id"] for f in out["flagged"]] == [chrome["id"]]
        assert out["flagged"][0]["status"] == "possibly_outdated"
        assert out["flagged"][0]["possibly_outdated_by"] == out["saved"][0]["id"]
        assert "resolve_flag" in text(result) and chrome["id"] in text(result)
        # still current and searchable, after the newer one
        found = data(await s.call_tool("search_memory", {"query": "which browser do I use"}))["results"]
        ids = [r["id"] for r in found]
        assert ids.index(out["saved"][0]["id"]) < ids.index(chrome["id"])
        confirmed = data(await s.call_tool("resolve_flag", {"memory_id": chrome["id"], "decision": "confirm"}))
        assert confirmed["memory"]["status"] == "replaced"
        assert confirmed["memory"]["superseded_by"] == out["saved"][0]["id"]

        tea = data(await s.call_tool("add_memories", {"text": "I live in Berlin"}))["saved"][0]
        coffee = data(await s.call_tool("add_memories", {"text": "I live in Munich"}))  # a second home? doubtful
        assert [f["id"] for f in coffee["flagged"]] == [tea["id"]]
        dismissed = data(await s.call_tool("resolve_flag", {"memory_id": tea["id"], "decision": "dismiss"}))
        assert dismissed["memory"]["status"] == "current" and dismissed["memory"]["possibly_outdated_by"] is None
        again = await s.call_tool("resolve_flag", {"memory_id": tea["id"], "decision": "dismiss"})
        assert again.is_error and "flagged" in text(again)
        wrong = await s.call_tool("resolve_flag", {"memory_id": tea["id"], "decision": "maybe"})
        assert wrong.is_error
    unlinked = await runtime.stores.memories.unlinked(alice.user_id, [tea["id"]])
    assert unlinked == {(tea["id"], coffee["saved"][0]["id"])}


@pytest.mark.parametrize(("older", "newer", "question"), [
    ("The rent is 1200 euros a month", "Rent went up, it is 1350 euros a month", "how much is the rent?"),
    ("Yoga class is on Tuesdays at 6:30pm", "Yoga class is on Tuesdays at 7:15pm", "what time is yoga?"),
    ("Our team offsite is in Lisbon", "The team offsite will be in Porto", "where is the team offsite?"),
])
async def test_the_newer_value_comes_first(connect: Connect, alice: Account, older: str, newer: str,
                                           question: str) -> None:
    async with connect(alice) as s:
        await s.call_tool("add_memories", {"text": [older, "I like hiking in the Alps", "My cat is called Miso"]})
        new = data(await s.call_tool("add_memories", {"text": newer}))["saved"][0]
        found = data(await s.call_tool("search_memory", {"query": question}))["results"]
        assert found[0]["id"] == new["id"]
        texts = [r["text"] for r in found]
        assert older not in texts or texts.index(older) > 0


async def test_a_question_matching_only_a_replaced_memory_finds_its_current_version(
        connect: Connect, alice: Account) -> None:
    async with connect(alice) as s:
        await s.call_tool("add_memories", {"text": ["My sister Anna lives in Berlin", "I play tennis on Sundays",
                                                    "My dentist is Dr. Brandt"]})
        moved = data(await s.call_tool("add_memories", {"text": "Anna moved to Munich"}))
        assert [m["text"] for m in moved["replaced"]] == ["My sister Anna lives in Berlin"]
        found = data(await s.call_tool("search_memory", {"query": "where does my sister live?"}))["results"]
        assert found[0]["id"] == moved["saved"][0]["id"] and found[0]["status"] == "current"
        assert "My sister Anna lives in Berlin" not in [r["text"] for r in found]
        # a restated old value is a change back, not a duplicate
        back = data(await s.call_tool("add_memories", {"text": "my sister anna lives in berlin"}))
        assert back["saved"] and [m["id"] for m in back["replaced"]] == [moved["saved"][0]["id"]]
        found = data(await s.call_tool("search_memory", {"query": "where does Anna live?"}))["results"]
        assert found[0]["id"] == back["saved"][0]["id"]


async def test_occurred_at_orders_memories_and_resolves_relative_dates(connect: Connect, alice: Account) -> None:
    async with connect(alice) as s:
        now = data(await s.call_tool("add_memories", {"text": "Standup is at 9:45"}))["saved"][0]
        # told today, about last spring: the older fact does not replace the newer one
        old = data(await s.call_tool("add_memories", {"text": "Standup is at 9:15 every morning",
                                                      "occurred_at": "2025-03-03T10:00:00Z"}))
        saved = old["saved"][0]
        assert saved["occurred_at"] == "2025-03-03T10:00:00Z" and old["replaced"] == []
        found = data(await s.call_tool("search_memory", {"query": "what time is standup?"}))["results"]
        ids = [r["id"] for r in found]
        assert ids[0] == now["id"] and (saved["id"] not in ids or ids.index(saved["id"]) > 0)
        trip = data(await s.call_tool("add_memories", {"text": "Flying to Rome next Tuesday",
                                                       "occurred_at": "2025-03-03"}))["saved"][0]
        assert trip["dates"][0]["start"] == "2025-03-11"
        per_item = data(await s.call_tool("add_memories", {"text": ["Dinner with Ola yesterday", "Gym tomorrow"],
                                                           "occurred_at": ["2025-01-10", None]}))["saved"]
        assert per_item[0]["dates"][0]["start"] == "2025-01-09" and per_item[1].get("occurred_at") is None
        bad = await s.call_tool("add_memories", {"text": "x y z", "occurred_at": "last spring"})
        assert bad.is_error and "occurred_at" in text(bad)
