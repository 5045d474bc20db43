"""Dashboard export and import against bad JSON values (issue 12): refused on import, repaired on export."""

from __future__ import annotations

import json

import httpx
import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.legacy_rows import LEGACY_TEXT, LEGACY_TITLE, nested, store_legacy_rows
from tests.web.helpers import login, post_form

pytestmark = pytest.mark.anyio


async def test_export_finishes_whatever_rows_hold_and_imports_back(signed_in: httpx.AsyncClient, alice: Account,
                                                                   bob: Account, runtime: Runtime) -> None:
    await runtime.memory.add(alice.user_id, "I drink green tea")
    await store_legacy_rows(runtime, alice.user_id)
    await runtime.memory.add(alice.user_id, "My cat is called Miso")
    assert (await signed_in.get("/dashboard")).status_code == 200  # the memories page shows the old row too
    r = await signed_in.get("/dashboard/account/export")
    assert r.status_code == 200
    records = [json.loads(line) for line in r.content.decode("utf-8").splitlines()]  # strict UTF-8, whole lines
    assert [x.get("text", x.get("title")) for x in records] == [
        "I drink green tea", LEGACY_TEXT, "My cat is called Miso", LEGACY_TITLE]
    assert records[1]["metadata"]["k"] == "\ufffd" and records[1]["tags"] == ["garden", "odd\ufffd"]
    assert records[3]["metadata"]["k"] == "\ufffd"
    # What Export wrote, Import takes (into another account), repaired values and all.
    await login(signed_in, bob.email, bob.password)
    r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/import", {},
                        files={"file": ("export.jsonl", r.content, "application/x-ndjson")})
    assert r.status_code == 200 and "Imported 3 memories, 1 documents" in r.text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"type": "memory", "text": "a fact", "metadata": {"k": "\\udfff"}}',
         "line 2: metadata.k is not valid Unicode text"),
        ('{"type": "memory", "text": "a fact", "metadata": ' + json.dumps(nested(900)) + "}",
         "line 2: metadata is nested more than 32 levels deep"),
        ('{"type": "memory", "text": "a fact", "tags": ["\\udfff"]}', "line 2: a tag is not valid Unicode text"),
        ('{"type": "document", "title": "t", "content": "c", "metadata": {"\\ud800": 1}}',
         "line 2: a key of metadata is not valid Unicode text"),
        ('{"type": "memory", "text": "a fact", "client_id": 7}', "line 2: client_id must be a string or null, not int"),
        ('{"type": "memory", "text": "a fact", "client_id": "app\\udfff"}', "line 2: client_id is not valid Unicode"),
        ('{"type": "memory", "id": "b", "text": "a fact", "superseded_by": "a", "replaced_value": "\\ud800"}',
         "line 2: replaced_value is not valid Unicode"),
        ('{"type": "memory", "text": "a fact", "space_name": "' + "w" * 61 + '"}',
         "line 2: space_name must be the name of a space: a string of at most 60 printable characters"),
        ('{"type": "memory", "text": "a fact", "space_name": "work\\u0007"}', "line 2: space_name must be the name"),
    ],
)
async def test_import_refuses_bad_json_values_and_imports_nothing(signed_in: httpx.AsyncClient, alice: Account,
                                                                  runtime: Runtime, line: str, message: str) -> None:
    content = ('{"type": "memory", "text": "a good fact"}\n' + line + "\n").encode("ascii")
    r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/import", {},
                        files={"file": ("export.jsonl", content, "application/x-ndjson")})
    assert r.status_code == 400 and message in r.text, r.text[-2000:]
    assert await runtime.memory.count(alice.user_id) == 0
    assert await runtime.memory.list_documents(alice.user_id) == []


async def test_export_says_each_memorys_space_and_holds_only_the_accounts_own_spaces(
        signed_in: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime) -> None:
    """Spaces (issue 21): every own memory and document, in whichever space, with its space's id and name; a space
    shared with the account is its owner's to export, and what a member wrote in one of the account's spaces is."""
    from jean_memory.spaces.resolve import reach_of_person
    from tests.web.spaces_helpers import make_space, share

    work = await make_space(runtime, alice, "work")
    theirs = await make_space(runtime, bob, "bob's")
    await share(runtime, alice, work, bob, "writer")
    await share(runtime, bob, theirs, alice, "writer")
    await runtime.memory.add(alice.user_id, "I drink green tea")
    await runtime.memory.add(await reach_of_person(runtime.stores, alice.user_id), "Standup is at 9:30", space=work.id)
    await runtime.memory.store_document(await reach_of_person(runtime.stores, alice.user_id), "Roadmap", "Q3 plans",
                                        space=work.id)
    bobs = await reach_of_person(runtime.stores, bob.user_id)
    await runtime.memory.add(bobs, "The office moves in March", space=work.id)  # bob, in alice's work
    await runtime.memory.add(bobs, "Bob's own secret")
    await runtime.memory.add(await reach_of_person(runtime.stores, alice.user_id), "In bob's space", space=theirs.id)
    r = await signed_in.get("/dashboard/account/export")
    records = [json.loads(line) for line in r.content.decode("utf-8").splitlines()]
    got = {x.get("text", x.get("title")): (x.get("space"), x.get("space_name")) for x in records}
    assert got == {"I drink green tea": (alice.user_id, "personal"), "Standup is at 9:30": (work.id, "work"),
                   "The office moves in March": (work.id, "work"), "Roadmap": (work.id, "work")}


async def test_export_then_import_into_another_account_keeps_the_spaces(
        signed_in: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime) -> None:
    """Spaces (issue 21): what Export wrote comes back in spaces of the same names, each with its own memories (the
    same text in two spaces stays two), replaced versions and documents; importing it again adds nothing."""
    from jean_memory.spaces.resolve import reach_of_person
    from jean_memory.store.records import Filters
    from tests.web.spaces_helpers import make_space

    work = await make_space(runtime, alice, "work")
    family = await make_space(runtime, alice, "Family")
    reach = await reach_of_person(runtime.stores, alice.user_id)
    await runtime.memory.add(alice.user_id, "Standup is at 9:30", judge=False)
    await runtime.memory.add(reach, "Standup is at 9:30", judge=False, space=work.id)
    [office] = await runtime.memory.add(reach, "The office is in Berlin", judge=False, space=work.id)
    await runtime.memory.update(reach, office.memory.id, "The office is in Munich")
    await runtime.memory.store_document(reach, "Roadmap", "Q3 plans", space=work.id)
    await runtime.memory.add(reach, "Grandma's birthday is in May", judge=False, space=family.id)
    exported = (await signed_in.get("/dashboard/account/export")).content
    await login(signed_in, bob.email, bob.password)
    for notice in ("Imported 5 memories, 1 documents", "Imported 0 memories, 0 documents"):
        r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/import", {},
                            files={"file": ("export.jsonl", exported, "application/x-ndjson")})
        assert r.status_code == 200 and notice in r.text, r.text[-2000:]
    spaces = {s.id: s.name for s in await runtime.stores.spaces.spaces_of(bob.user_id)}
    assert sorted(spaces.values()) == ["Family", "personal", "work"]
    memories = await runtime.stores.memories.page(bob.user_id, 100, None, Filters(include_history=True))
    by_id = {m.id: m for m in memories}
    got = {(spaces[m.space_id], m.text, by_id[m.superseded_by].text if m.superseded_by else None) for m in memories}
    assert got == {("personal", "Standup is at 9:30", None), ("work", "Standup is at 9:30", None),
                   ("work", "The office is in Munich", None),
                   ("work", "The office is in Berlin", "The office is in Munich"),
                   ("Family", "Grandma's birthday is in May", None)}
    assert all(by_id[m.superseded_by].space_id == m.space_id for m in memories if m.superseded_by)
    assert [(spaces[d.space_id], d.title) for d in await runtime.memory.list_documents(bob.user_id)] == [
        ("work", "Roadmap")]
