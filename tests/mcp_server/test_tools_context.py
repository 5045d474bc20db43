"""jean_memory, ask_memory, documents and the ChatGPT connector tools over the real SDK client."""

from __future__ import annotations

import json

import pytest

from jean_memory.mcp_server.extract import fact_sentences
from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("message", "facts"), [
    ("Hi! I'm Maya, I live in Lisbon and I work as a nurse. Can you help me plan a trip?",
     ["I'm Maya", "I live in Lisbon", "I work as a nurse"]),
    ("I live in Porto, can you recommend a cafe?", ["I live in Porto"]),
    ("Remember that the gate code is 4512", ["The gate code is 4512"]),
    ("My daughter Ines turns 7 on March 3rd. What should I get her?", ["My daughter Ines turns 7 on March 3rd"]),
    ("What is the capital of France?", []),
    ("Could you write me a poem about my cat?", []),
    ("thanks, I'm tired", []),
    ("I think the second option is better", []),
])
def test_fact_extraction(message: str, facts: list[str]) -> None:
    assert fact_sentences(message) == facts


async def test_jean_memory_saves_once_and_recalls(connect: Connect, runtime, alice: Account) -> None:
    async with connect(alice) as s:
        first = data(await s.call_tool("jean_memory", {
            "user_message": "Hi! I'm Maya and I'm vegetarian. What should I cook tonight?",
            "is_new_conversation": True}))
        assert [m["text"] for m in first["saved"]] == ["I'm Maya", "I'm vegetarian"]
        assert first["total_memories"] == 2
        again = data(await s.call_tool("jean_memory", {"user_message": "I'm vegetarian, remember?", "depth": 0}))
        assert again["saved"] == [] and "relevant" not in again or again["relevant"] == []
        assert await runtime.memory.count(alice.user_id) == 2
        recall = await s.call_tool("jean_memory", {"user_message": "Any dinner ideas for me?", "depth": 1})
        assert "I'm vegetarian" in [m["text"] for m in data(recall)["relevant"]]
        assert "Relevant memories" in text(recall)


async def test_jean_memory_depths(connect: Connect, runtime, alice: Account) -> None:
    await runtime.memory.add(alice.user_id, ["I play cello in a quartet", "My quartet rehearses on Thursdays",
                                             "I bought a new bicycle"])
    await runtime.memory.store_document(alice.user_id, "Quartet setlist", "Haydn op. 76 no. 3, then Ravel.")
    async with connect(alice) as s:
        d0 = data(await s.call_tool("jean_memory", {"user_message": "When is quartet rehearsal?", "depth": 0}))
        assert d0["saved"] == [] and d0.get("relevant", []) == []
        d1 = data(await s.call_tool("jean_memory", {"user_message": "When is quartet rehearsal?"}))
        assert d1["relevant"][0]["text"] == "My quartet rehearses on Thursdays"
        assert all(m.get("document_id") is None for m in d1["relevant"])
        d2 = data(await s.call_tool("jean_memory", {"user_message": "When is quartet rehearsal?", "depth": 2}))
        shown = {m["text"] for m in d2["relevant"] + d2.get("recent", [])}
        assert "I bought a new bicycle" in shown
        d3 = data(await s.call_tool("jean_memory", {"user_message": "What does the quartet play? Haydn?",
                                                    "depth": 3}))
        assert any(m.get("document_id") for m in d3["relevant"])
        bad = await s.call_tool("jean_memory", {"user_message": "hi", "depth": 7})
        assert bad.is_error and "depth must be an integer between 0 and 3" in text(bad)
        empty = await s.call_tool("jean_memory", {"user_message": "   "})
        assert empty.is_error and "user_message is empty" in text(empty)


async def test_new_conversation_profile_for_empty_memory(connect: Connect, alice: Account) -> None:
    async with connect(alice) as s:
        result = await s.call_tool("jean_memory", {"user_message": "hello!", "is_new_conversation": True})
    assert data(result)["total_memories"] == 0
    assert "Nothing is remembered about this user yet" in text(result)


async def test_ask_memory_without_llm_returns_context(connect: Connect, runtime, alice: Account) -> None:
    await runtime.memory.add(alice.user_id, ["I am allergic to shellfish", "I live in Lisbon"])
    async with connect(alice) as s:
        answer = data(await s.call_tool("ask_memory", {"question": "What food allergies do I have?"}))
        assert answer["memories"][0]["text"] == "I am allergic to shellfish" and "answer" not in answer
        bad = await s.call_tool("ask_memory", {"question": ""})
        assert bad.is_error


async def test_documents(connect: Connect, runtime, alice: Account) -> None:
    line = "The lighthouse keeper logs the weather. " * 20
    content = "\n\n".join(f"Paragraph {i}. {line}" for i in range(40)).strip()
    async with connect(alice) as s:
        stored = data(await s.call_tool("store_document", {"title": "Logbook", "content": content,
                                                           "document_type": "note",
                                                           "source_url": "https://example.com/log"}))
        doc_id = stored["document"]["id"]
        assert stored["document"]["chars"] == len(content)
        page = data(await s.call_tool("get_document", {"document_id": doc_id}))
        assert content.startswith(page["content"]) and page["next_offset"] == len(page["content"])
        rest = data(await s.call_tool("get_document", {"document_id": doc_id, "offset": page["next_offset"]}))
        assert page["content"] + rest["content"] == content[: len(page["content"]) + len(rest["content"])]
        deep = data(await s.call_tool("deep_memory_query", {"search_query": "lighthouse weather"}))
        assert deep["passages"] and deep["documents"] == {doc_id: "Logbook"}
        assert len(str(deep)) < 20_000
        shallow = data(await s.call_tool("deep_memory_query", {"search_query": "lighthouse",
                                                               "include_documents": False}))
        assert shallow["passages"] == []
        for args, message in [({"title": "t", "content": ""}, "content is empty"),
                              ({"title": "", "content": "x"}, "title is empty"),
                              ({"title": "t", "content": "x" * (5 * 1024 * 1024 + 1)}, "limit is")]:
            result = await s.call_tool("store_document", args)
            assert result.is_error and message in text(result)
        missing = await s.call_tool("get_document", {"document_id": "nope"})
        assert missing.is_error and "no document with id nope" in text(missing)
        beyond = await s.call_tool("get_document", {"document_id": doc_id, "offset": len(content) + 1})
        assert beyond.is_error
    assert len(await runtime.memory.list_documents(alice.user_id)) == 1


async def test_chatgpt_search_and_fetch_shape(connect: Connect, runtime, alice: Account) -> None:
    await runtime.memory.add(alice.user_id, "My favourite hiking trail is the Rota Vicentina")
    doc = await runtime.memory.store_document(alice.user_id, "Hiking plan", "Day 1: Porto Covo to Vila Nova.",
                                              source_url="https://example.com/hike")
    async with connect(alice) as s:
        found = await s.call_tool("search", {"query": "hiking trail"})
        body = json.loads(text(found))
        assert body == found.structured_content
        assert {r["id"] for r in body["results"]} >= {f"document:{doc.id}"}
        assert all(set(r) == {"id", "title", "url", "space", "space_name"} for r in body["results"])
        assert {r["space_name"] for r in body["results"]} == {"personal"}
        for hit in body["results"]:
            fetched = json.loads(text(await s.call_tool("fetch", {"id": hit["id"]})))
            assert set(fetched) == {"id", "title", "text", "url", "metadata"} and fetched["id"] == hit["id"]
        doc_hit = json.loads(text(await s.call_tool("fetch", {"id": f"document:{doc.id}"})))
        assert doc_hit["text"] == "Day 1: Porto Covo to Vila Nova." and doc_hit["url"] == "https://example.com/hike"
        for bad in ("memory:nope", "document:nope", "other:thing"):
            result = await s.call_tool("fetch", {"id": bad})
            assert result.is_error and "no " in text(result)
