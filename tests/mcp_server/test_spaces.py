"""Spaces over MCP (issue 21), with the real SDK client: a connection sees only the spaces its key was given, the
``space`` argument on each tool, ``list_spaces``, a reader's writes refused naming the space, and narrowing a key or
removing a member acting on the very next call."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp.client.client import Client
from mcp_types import CallToolResult

from jean_memory.accounts.api_keys import KEY_SCOPES, PREFIX, Principal
from jean_memory.mcp_server.principal import stdio_principal
from jean_memory.mcp_server.server import build_server
from jean_memory.security import hash_token, new_token
from jean_memory.spaces.resolve import reach_of_person
from jean_memory.store.space_records import Reachable
from tests.conftest import Account
from tests.mcp_server.conftest import Connect, data, text

pytestmark = pytest.mark.anyio

SECRET = "lisinopril"  # in alice's personal space only
PERSONAL_FACT = f"My blood pressure medication is {SECRET} 10mg"
WORK_FACT = "The quarterly report for Acme is due on Friday"


async def scoped_key(runtime: Any, user_id: str, spaces: tuple[str, ...] | None,
                     write_space: str | None) -> tuple[str, str]:
    """A new API key of ``user_id`` given ``spaces``; (its secret, its id)."""
    secret = new_token(PREFIX)
    record = await runtime.stores.api_keys.create_key(user_id, "scoped", hash_token(secret), secret[:8],
                                                      spaces=spaces, write_space=write_space)
    return secret, record.id


def everything(result: CallToolResult) -> str:
    return (text(result) + json.dumps(result.structured_content)).lower()


async def alice_with_work(runtime: Any, alice: Account) -> tuple[str, str, str]:
    """Alice's work space with one memory, a personal memory and a personal document; (work id, personal memory
    id, personal document id)."""
    work = await runtime.stores.spaces.create_space(alice.user_id, "work")
    reach = await reach_of_person(runtime.stores, alice.user_id)
    await runtime.memory.add(reach, WORK_FACT, space=work.id)
    [personal] = await runtime.memory.add(alice.user_id, PERSONAL_FACT)
    doc = await runtime.memory.store_document(alice.user_id, "Health diary", f"Started {SECRET} in March.")
    return work.id, personal.memory.id, doc.id


async def test_a_key_given_only_work_never_sees_personal(connect: Connect, runtime, alice: Account) -> None:
    work_id, personal_id, doc_id = await alice_with_work(runtime, alice)
    key, _ = await scoped_key(runtime, alice.user_id, (work_id,), work_id)
    async with connect(token=key) as s:
        for tool, args in [
            ("search_memory", {"query": f"blood pressure medication {SECRET} quarterly report"}),
            ("list_memories", {}),
            ("jean_memory", {"user_message": f"what about my {SECRET} and the report?", "is_new_conversation": True,
                             "depth": 3}),
            ("search", {"query": f"{SECRET} medication report"}),
            ("deep_memory_query", {"search_query": f"{SECRET} medication"}),
            ("ask_memory", {"question": "What medication do I take?"}),
        ]:
            result = await s.call_tool(tool, args)
            assert not result.is_error, (tool, text(result))
            seen = everything(result).replace(f"what about my {SECRET}", "")
            assert SECRET not in seen and personal_id not in seen and doc_id not in seen, tool
        found = data(await s.call_tool("search_memory", {"query": "quarterly report Acme"}))["results"]
        assert [(m["text"], m["space"], m["space_name"]) for m in found] == [(WORK_FACT, work_id, "work")]
        hits = data(await s.call_tool("search", {"query": "quarterly report Acme"}))["results"]
        assert [(h["space"], h["space_name"]) for h in hits] == [(work_id, "work")]
        fetched = data(await s.call_tool("fetch", {"id": hits[0]["id"]}))
        assert (fetched["metadata"]["space"], fetched["metadata"]["space_name"]) == (work_id, "work")
        for tool, theirs, nobodys in [
            ("fetch", {"id": f"memory:{personal_id}"}, {"id": "memory:" + "0" * 36}),
            ("fetch", {"id": f"document:{doc_id}"}, {"id": "document:" + "0" * 36}),
            ("get_document", {"document_id": doc_id}, {"document_id": "0" * 36}),
            ("update_memory", {"memory_id": personal_id, "text": "x"}, {"memory_id": "0" * 36, "text": "x"}),
        ]:
            mine, unknown = await s.call_tool(tool, theirs), await s.call_tool(tool, nobodys)
            assert mine.is_error and unknown.is_error, tool
            assert text(mine).replace(personal_id, "ID").replace(doc_id, "ID") == text(unknown).replace(
                "0" * 36, "ID"), tool
        assert data(await s.call_tool("delete_memories", {"memory_ids": [personal_id]}))["deleted"] == 0
        refused = await s.call_tool("search_memory", {"query": "medication", "space": "personal"})
        assert refused.is_error and "'personal'" in text(refused) and "not given" in text(refused)
        # its writes go to work, never to personal
        saved = data(await s.call_tool("add_memories", {"text": "Acme's new office is in Porto"}))["saved"]
        assert (saved[0]["space"], saved[0]["space_name"]) == (work_id, "work")
        assert (await s.call_tool("add_memories", {"text": "x is y", "space": "personal"})).is_error
    assert await runtime.memory.count(alice.user_id) == 3  # its own two in work, and personal's one


async def test_space_argument_on_each_tool(connect: Connect, runtime, alice: Account) -> None:
    work_id, personal_id, _ = await alice_with_work(runtime, alice)
    async with connect(alice) as s:  # a key from before spaces: every space of the account, writes to personal
        saved = data(await s.call_tool("add_memories", {"text": "Standup moved to 9:30", "space": "Work"}))["saved"]
        assert (saved[0]["space"], saved[0]["space_name"]) == (work_id, "work")
        saved = data(await s.call_tool("add_memories", {"text": "I run on Sundays"}))["saved"]
        assert (saved[0]["space"], saved[0]["space_name"]) == (alice.user_id, "personal")

        def spaces(items: list[dict[str, Any]]) -> set[str]:
            return {m["space"] for m in items}

        query = f"standup report Sundays {SECRET} medication"
        everywhere = data(await s.call_tool("search_memory", {"query": query}))["results"]
        assert spaces(everywhere) == {work_id, alice.user_id}
        assert "space work" in text(await s.call_tool("search_memory", {"query": query}))  # mixed: lines name it
        only_work = data(await s.call_tool("search_memory", {"query": query, "space": work_id}))["results"]
        assert spaces(only_work) == {work_id} and len(only_work) == 2
        listed = data(await s.call_tool("list_memories", {"space": "work"}))["memories"]
        assert {m["text"] for m in listed} == {WORK_FACT, "Standup moved to 9:30"}
        assert spaces(data(await s.call_tool("list_memories", {}))["memories"]) == {work_id, alice.user_id}

        out = data(await s.call_tool("jean_memory", {
            "user_message": "Remember that the Acme launch is on 3 March.", "is_new_conversation": True, "depth": 2,
            "space": "work"}))
        assert [(m["space"], m["space_name"]) for m in out["saved"]] == [(work_id, "work")]
        context = out["profile"] + out["relevant"] + out["recent"]
        assert context and spaces(context) == {work_id} and out["total_memories"] == 3
        out = data(await s.call_tool("jean_memory", {"user_message": f"Is {SECRET} still my medication?",
                                                     "depth": 2}))
        assert personal_id in {m["id"] for m in out["relevant"] + out["recent"]}

        stored = data(await s.call_tool("store_document", {"title": "Acme plan", "content": "Launch in March.",
                                                           "space": "work"}))["document"]
        assert (stored["space"], stored["space_name"]) == (work_id, "work")
        read = data(await s.call_tool("get_document", {"document_id": stored["id"]}))["document"]
        assert read["space_name"] == "work"

        before = await runtime.memory.count(alice.user_id)
        for tool, args in [("add_memories", {"text": "x is y"}), ("search_memory", {"query": "x"}),
                           ("list_memories", {}), ("jean_memory", {"user_message": "My dog is called Rex."}),
                           ("store_document", {"title": "t", "content": "c"})]:
            refused = await s.call_tool(tool, {**args, "space": "health"})
            assert refused.is_error and "space 'health' was not given" in text(refused), tool
        assert await runtime.memory.count(alice.user_id) == before  # never a write elsewhere


async def test_list_spaces(connect: Connect, runtime, alice: Account, bob: Account) -> None:
    work = await runtime.stores.spaces.create_space(alice.user_id, "work")
    family = await runtime.stores.spaces.create_space(bob.user_id, "family")
    await runtime.stores.spaces.set_member(family.id, alice.user_id, "reader")
    key, _ = await scoped_key(runtime, alice.user_id, (alice.user_id, work.id, family.id), work.id)
    async with connect(token=key) as s:
        result = await s.call_tool("list_spaces", {})
        listed = data(result)
        assert listed["default_space"] == work.id
        assert listed["spaces"] == [
            {"id": alice.user_id, "name": "personal", "owner": alice.email, "role": "owner", "can_write": True,
             "default": False},
            {"id": work.id, "name": "work", "owner": alice.email, "role": "owner", "can_write": True,
             "default": True},
            {"id": family.id, "name": "family", "owner": bob.email, "role": "reader", "can_write": False,
             "default": False},
        ]
        assert "family (id" in text(result) and "read only" in text(result) and "default for new" in text(result)
        tools = {t.name: t for t in (await s.list_tools()).tools}
        assert tools["list_spaces"].annotations is not None and tools["list_spaces"].annotations.read_only_hint
        for name in ("add_memories", "search_memory", "list_memories", "jean_memory", "store_document"):
            assert "space" in tools[name].input_schema["properties"], name
            assert "space" not in tools[name].input_schema.get("required", []), name
    async with connect(alice) as s:  # a key from before spaces: the account's own spaces, not the shared one
        assert [sp["name"] for sp in data(await s.call_tool("list_spaces", {}))["spaces"]] == ["personal", "work"]


async def test_a_reader_cannot_add_update_or_delete(connect: Connect, runtime, alice: Account, bob: Account) -> None:
    family = await runtime.stores.spaces.create_space(bob.user_id, "family")
    bob_reach = await reach_of_person(runtime.stores, bob.user_id)
    [shared] = await runtime.memory.add(bob_reach, "The wifi password is on the fridge", space=family.id)
    await runtime.stores.spaces.set_member(family.id, alice.user_id, "reader")
    key, _ = await scoped_key(runtime, alice.user_id, (alice.user_id, family.id), alice.user_id)
    only_family, _ = await scoped_key(runtime, alice.user_id, (family.id,), family.id)
    async with connect(token=key) as s:
        found = data(await s.call_tool("search_memory", {"query": "wifi password"}))["results"]
        assert [(m["id"], m["space_name"]) for m in found] == [(shared.memory.id, "family")]
        for tool, args in [
            ("add_memories", {"text": "The wifi password changed", "space": family.id}),
            ("add_memories", {"text": "The wifi password changed", "space": "family"}),  # not her own: by id only
            ("update_memory", {"memory_id": shared.memory.id, "text": "The wifi password is 1234"}),
            ("delete_memories", {"memory_ids": [shared.memory.id]}),
            ("store_document", {"title": "wifi", "content": "hunter2", "space": family.id}),
        ]:
            refused = await s.call_tool(tool, args)
            assert refused.is_error, tool
            assert "'family'" in text(refused), (tool, text(refused))
            if args.get("space") != "family":
                assert "reader" in text(refused) and "only read" in text(refused), (tool, text(refused))
        # jean_memory runs on every message: a read-only connection still gets its context, and is told plainly
        # that nothing was saved, and why.
        told = await s.call_tool("jean_memory", {"user_message": "Remember that the wifi password is now hunter2.",
                                                 "space": family.id})
        out = data(told)
        assert out["saved"] == [] and "'family'" in out["not_saved"] and "only read" in out["not_saved"]
        assert text(told).startswith("Nothing was saved") and shared.memory.id in str(out["relevant"])
    async with connect(token=only_family) as s:
        refused = await s.call_tool("add_memories", {"text": "We need milk"})
        assert refused.is_error and "family" in text(refused) and "only read" in text(refused)
        told = data(await s.call_tool("jean_memory", {"user_message": "Remember that we need milk."}))
        assert told["saved"] == [] and "only read" in told["not_saved"]
    [still] = await runtime.stores.memories.get(bob.user_id, [shared.memory.id])
    assert still.text == "The wifi password is on the fridge"
    assert await runtime.memory.count(bob_reach) == 1 and await runtime.memory.count(alice.user_id) == 0


async def test_narrowing_a_key_and_removing_a_member_act_on_the_next_call(connect: Connect, runtime, alice: Account,
                                                                          bob: Account) -> None:
    work_id, _, _ = await alice_with_work(runtime, alice)
    family = await runtime.stores.spaces.create_space(bob.user_id, "family")
    await runtime.memory.add(await reach_of_person(runtime.stores, bob.user_id), "Grandma's birthday is 2 May",
                             space=family.id)
    await runtime.stores.spaces.set_member(family.id, alice.user_id, "writer")
    key, key_id = await scoped_key(runtime, alice.user_id, (alice.user_id, work_id, family.id), alice.user_id)
    query = f"{SECRET} medication quarterly report grandma birthday"
    async with connect(token=key) as s:
        names = {m["space_name"] for m in data(await s.call_tool("search_memory", {"query": query}))["results"]}
        assert names == {"personal", "work", "family"}
        assert not (await s.call_tool("add_memories", {"text": "Grandpa's birthday is 9 June",
                                                       "space": family.id})).is_error
        await runtime.stores.spaces.set_key_reach(alice.user_id, key_id, Reachable((work_id, family.id), work_id))
        names = {m["space_name"] for m in data(await s.call_tool("search_memory", {"query": query}))["results"]}
        assert names == {"work", "family"}
        assert [sp["name"] for sp in data(await s.call_tool("list_spaces", {}))["spaces"]] == ["work", "family"]
        saved = data(await s.call_tool("add_memories", {"text": "Acme moved the deadline to Monday"}))["saved"]
        assert saved[0]["space"] == work_id  # the new default
        await runtime.stores.spaces.remove_member(family.id, alice.user_id)
        names = {m["space_name"] for m in data(await s.call_tool("search_memory", {"query": query}))["results"]}
        assert names == {"work"}
        refused = await s.call_tool("add_memories", {"text": "Grandma likes tulips", "space": family.id})
        assert refused.is_error and "not given" in text(refused)
        assert "grandma" not in everything(await s.call_tool("list_memories", {}))


async def test_stdio_reaches_every_space_of_the_person(runtime, alice: Account, bob: Account) -> None:
    """One local user, no key or grant to narrow it: their own spaces and the ones shared with them."""
    family = await runtime.stores.spaces.create_space(bob.user_id, "family")
    await runtime.memory.add(await reach_of_person(runtime.stores, bob.user_id), "Grandma's birthday is 2 May",
                             space=family.id)
    await runtime.stores.spaces.set_member(family.id, alice.user_id, "writer")
    token = stdio_principal.set(Principal(alice.user_id, KEY_SCOPES, "stdio", "stdio"))
    try:
        async with Client(build_server(runtime)) as s:
            listed = data(await s.call_tool("list_spaces", {}))
            assert [sp["name"] for sp in listed["spaces"]] == ["personal", "family"]
            assert listed["default_space"] == alice.user_id
            found = data(await s.call_tool("search_memory", {"query": "grandma birthday"}))["results"]
            assert [m["space_name"] for m in found] == ["family"]
    finally:
        stdio_principal.reset(token)
