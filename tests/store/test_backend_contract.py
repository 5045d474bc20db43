"""Contract of documents, keys, updates and lexical ranking, run against every backend."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from jean_memory.errors import Conflict
from jean_memory.store import Stores
from jean_memory.store.records import Document, Filters, NewMemory
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio




async def test_lexical_is_an_or_of_stemmed_terms_ranking_fuller_matches_first(stores: Stores) -> None:
    u = await stores.users.create_user("lex@example.com", None)
    both, one, none = await stores.memories.insert(u.id, [
        NewMemory("I went running with my dog in the park", "a", unit_vector(1)),
        NewMemory("The park was closed on Sunday", "b", unit_vector(2)),
        NewMemory("Lunch was a sandwich", "c", unit_vector(3)),
    ])
    hits = await stores.memories.lexical(u.id, ["runs", "park"], 10, Filters())
    assert [h.seq for h in hits] == [both.seq, one.seq]
    assert hits[0].score > hits[1].score


async def test_update_changes_text_tags_and_search(stores: Stores) -> None:
    u = await stores.users.create_user("upd@example.com", None)
    [m] = await stores.memories.insert(u.id, [NewMemory("favourite colour is blue", "k1", unit_vector(1), ("a",))])
    updated = await stores.memories.update(u.id, m.id, "favourite colour is green", "k2", unit_vector(2), ("b", "c"))
    assert updated is not None and updated.text == "favourite colour is green" and updated.tags == ("b", "c")
    assert updated.updated_at >= m.updated_at and updated.seq == m.seq
    assert await stores.memories.lexical(u.id, ["blue"], 10, Filters()) == []
    assert [h.seq for h in await stores.memories.lexical(u.id, ["green"], 10, Filters(tags=("c",)))] == [m.seq]
    dense = await stores.memories.dense(u.id, np.frombuffer(unit_vector(2), dtype=np.float32), 1, Filters())
    assert dense[0].seq == m.seq and dense[0].score == pytest.approx(1.0, abs=1e-4)
    assert list(await stores.memories.find_by_keys(u.id, ["k1", "k2"])) == ["k2"]


async def test_documents_and_their_chunks(stores: Stores) -> None:
    u = await stores.users.create_user("doc@example.com", None)
    now = time.time()
    doc = Document("d1", u.id, "Trip notes", "the whole text", "text", None, "app", {"lang": "en"}, now, now)
    await stores.documents.insert_document(doc, [NewMemory("ferry to the island at noon", "c0", unit_vector(1),
                                                           document_id="d1")])
    assert await stores.documents.get_document(u.id, "d1") == replace(doc, space_id=u.id)  # the personal space
    assert [d.id for d in await stores.documents.list_documents(u.id, 10, 0)] == ["d1"]
    assert await stores.memories.lexical(u.id, ["ferry"], 10, Filters()) == []  # chunks only when asked
    assert len(await stores.memories.lexical(u.id, ["ferry"], 10, Filters(include_chunks=True))) == 1
    assert await stores.memories.count(u.id) == 0
    assert await stores.documents.delete_document(u.id, "d1")
    assert await stores.memories.lexical(u.id, ["ferry"], 10, Filters(include_chunks=True)) == []
    assert not await stores.documents.delete_document(u.id, "d1")


async def test_api_keys_and_users(stores: Stores) -> None:
    u = await stores.users.create_user("Key@Example.com", None, "Kay")
    assert (await stores.users.get_user_by_email("KEY@example.COM")) == u
    key = await stores.api_keys.create_key(u.id, "laptop", "hash-1", "jm_abcd")
    found = await stores.api_keys.find_key("hash-1")
    assert found is not None and found.id == key.id
    assert [k.id for k in await stores.api_keys.list_keys(u.id)] == [key.id]
    assert await stores.api_keys.revoke_key(u.id, key.id)
    assert not await stores.api_keys.revoke_key(u.id, key.id)
    assert await stores.api_keys.find_key("hash-1") is None
    await stores.users.set_password(u.id, "argon-hash")
    assert (await stores.users.get_user(u.id)).password_hash == "argon-hash"  # type: ignore[union-attr]
    assert [x.email for x in await stores.users.list_users(10, 0)] == ["key@example.com"]


async def test_lexical_finds_memories_behind_many_better_ranked_chunks(stores: Stores) -> None:
    u = await stores.users.create_user("chunks@example.com", None)
    now = time.time()
    doc = Document("doc-apples", u.id, "Apples", "apple " * 40, "text", None, None, {}, now, now)
    chunks = [NewMemory("apple apple apple orchard", f"c{i}", unit_vector(i), document_id=doc.id) for i in range(30)]
    await stores.documents.insert_document(doc, chunks)
    plain = await stores.memories.insert(u.id, [NewMemory("an apple a day", "m1", unit_vector(100)),
                                                NewMemory("apple pie for Sunday", "m2", unit_vector(101))])
    hits = await stores.memories.lexical(u.id, ["apple"], 5, Filters())
    assert sorted(h.seq for h in hits) == sorted(m.seq for m in plain)
    with_chunks = await stores.memories.lexical(u.id, ["apple"], 5, Filters(include_chunks=True))
    assert len(with_chunks) == 5


async def test_update_onto_another_memorys_key_is_a_conflict(stores: Stores) -> None:
    u = await stores.users.create_user("dup@example.com", None)
    river, apple = await stores.memories.insert(u.id, [NewMemory("river", "k-river", unit_vector(1)),
                                                       NewMemory("apple", "k-apple", unit_vector(2))])
    with pytest.raises(Conflict):
        await stores.memories.update(u.id, river.id, "apple", "k-apple", unit_vector(3), None)
    [still] = await stores.memories.get(u.id, [river.id])
    assert still.text == "river"
    updated = await stores.memories.update(u.id, apple.id, "Apple!", "k-apple", unit_vector(4), None)
    assert updated is not None and updated.text == "Apple!"
