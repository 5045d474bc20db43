"""Contract of the memory stores, run against every backend."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from jean_memory.errors import Conflict
from jean_memory.store import Stores
from jean_memory.store.records import Document, Filters, HybridQuery, NewMemory, Scored
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio




async def test_insert_search_delete_is_scoped_by_user(stores: Stores) -> None:
    a = await stores.users.create_user("a@example.com", None)
    b = await stores.users.create_user("b@example.com", None)
    [ma] = await stores.memories.insert(a.id, [NewMemory("apples are red", "k1", unit_vector(1), ("fruit",))])
    [mb] = await stores.memories.insert(b.id, [NewMemory("apples are green", "k1", unit_vector(2))])
    hits = await stores.memories.lexical(a.id, ["apples"], 10, Filters())
    assert [h.seq for h in hits] == [ma.seq]
    dense = await stores.memories.dense(a.id, np.frombuffer(unit_vector(2), dtype=np.float32), 10, Filters())
    assert [h.seq for h in dense] == [ma.seq]
    assert await stores.memories.get(a.id, [mb.id]) == []
    assert await stores.memories.delete(a.id, [mb.id]) == 0
    assert await stores.memories.update(a.id, mb.id, "x", "k", unit_vector(3), None) is None
    assert await stores.memories.delete(a.id, [ma.id]) == 1
    assert await stores.memories.lexical(a.id, ["apples"], 10, Filters()) == []
    assert await stores.memories.count(b.id) == 1


async def test_hybrid_ranks_both_sides_returns_live_rows_and_stays_in_its_user(stores: Stores) -> None:
    a = await stores.users.create_user("hy-a@example.com", None)
    b = await stores.users.create_user("hy-b@example.com", None)
    lexical_hit, dense_hit, both, gone, _ = await stores.memories.insert(a.id, [
        NewMemory("the harbour ferry leaves at noon", "k1", unit_vector(11), created_at=1000.0),
        NewMemory("a quiet morning", "k2", unit_vector(12), created_at=2000.0),
        NewMemory("ferry tickets are in the drawer", "k3", unit_vector(12), created_at=3000.0),
        NewMemory("ferry timetable for winter", "k4", unit_vector(12), created_at=4000.0),
        NewMemory("unrelated words entirely", "k5", unit_vector(99), created_at=5000.0),
    ])
    await stores.memories.insert(b.id, [NewMemory("ferry ferry ferry", "k1", unit_vector(12))])
    assert await stores.memories.delete(a.id, [gone.id]) == 1
    seen: list[tuple[list[Scored], list[Scored]]] = []
    calls: list[int] = []

    def vector() -> np.ndarray:
        calls.append(1)
        return np.frombuffer(unit_vector(12), dtype=np.float32)

    def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
        seen.append((list(lexical), list(dense)))
        scores: dict[int, float] = {}
        for s in (*lexical, *dense):
            scores[s.seq] = scores.get(s.seq, 0.0) + 1.0 + s.seq / 1000
        return [Scored(seq, score) for seq, score in sorted(scores.items(), key=lambda kv: -kv[1])]

    hits = await stores.memories.hybrid(a.id, HybridQuery(("ferry",), vector, 10, 2, Filters(), rank))
    assert calls == [1]
    [(lexical, dense)] = seen
    assert {s.seq for s in lexical} == {lexical_hit.seq, both.seq}
    assert dense[0].seq in {dense_hit.seq, both.seq} and gone.seq not in {s.seq for s in dense}
    assert all(s.created_at is not None for s in (*lexical, *dense))
    # ``both`` matched on both sides so ranks first; the limit of 2 keeps one more; rows come back whole.
    assert [m.id for m, _ in hits][0] == both.id and len(hits) == 2
    assert hits[0][0].text == "ferry tickets are in the drawer" and hits[0][1] > hits[1][1]
    assert all(m.user_id == a.id for m, _ in hits)


async def test_filters_and_paging(stores: Stores) -> None:
    u = await stores.users.create_user("u@example.com", None)
    items = [NewMemory(f"note {i} about cats", f"k{i}", unit_vector(i), ("even",) if i % 2 == 0 else (),
                       created_at=1000.0 + i) for i in range(10)]
    stored = await stores.memories.insert(u.id, items)
    page = await stores.memories.page(u.id, 4, None, Filters())
    assert [m.text for m in page] == [f"note {i} about cats" for i in (9, 8, 7, 6)]
    page2 = await stores.memories.page(u.id, 4, page[-1].seq, Filters())
    assert [m.text for m in page2] == [f"note {i} about cats" for i in (5, 4, 3, 2)]
    tagged = await stores.memories.lexical(u.id, ["cats"], 20, Filters(tags=("even",)))
    assert len(tagged) == 5
    timed = await stores.memories.dense(u.id, np.frombuffer(unit_vector(0), dtype=np.float32), 20,
                                        Filters(since=1003.0, until=1006.0))
    assert sorted(h.seq for h in timed) == sorted(m.seq for m in stored[3:6])
    found = await stores.memories.find_by_keys(u.id, ["k3", "missing"])
    assert list(found) == ["k3"]


async def test_rate_limit_window(stores: Stores) -> None:
    assert await stores.rate_limits.hit("x", 2, 60) is None
    assert await stores.rate_limits.hit("x", 2, 60) is None
    wait = await stores.rate_limits.hit("x", 2, 60)
    assert wait is not None and 1 <= wait <= 60
    assert await stores.rate_limits.hit("y", 2, 60) is None


async def test_ended_rate_limit_windows_are_swept(stores: Stores) -> None:
    assert await stores.rate_limits.hit("a", 1, 60) is None
    assert await stores.rate_limits.hit("b", 1, 60) is None
    assert await stores.rate_limits.hit("a", 1, 60) is not None
    assert await stores.rate_limits.sweep(time.time() - 3600) == 0  # both windows are still running
    assert await stores.rate_limits.hit("a", 1, 60) is not None
    assert await stores.rate_limits.sweep(time.time() + 1) == 2
    assert await stores.rate_limits.hit("a", 1, 60) is None  # a fresh window


async def test_delete_user_cascades(stores: Stores) -> None:
    u = await stores.users.create_user("gone@example.com", None)
    await stores.memories.insert(u.id, [NewMemory("something", "k", unit_vector(1))])
    await stores.api_keys.create_key(u.id, "k", "hash", "jm_abc")
    await stores.users.link_identity(u.id, "https://id.example", "sub-1")
    await stores.users.delete_user(u.id)
    assert await stores.users.get_user(u.id) is None
    assert await stores.api_keys.find_key("hash") is None
    assert await stores.memories.count(u.id) == 0
    assert await stores.users.user_for_identity("https://id.example", "sub-1") is None


async def test_identities_link_once_per_issuer_and_never_move(stores: Stores) -> None:
    a = await stores.users.create_user("id-a@example.com", None)
    b = await stores.users.create_user("id-b@example.com", None)
    assert await stores.users.user_for_identity("https://id.example", "s1") is None
    await stores.users.link_identity(a.id, "https://id.example", "s1")
    await stores.users.link_identity(a.id, "https://id.example", "s1")  # again: a no-op
    assert (await stores.users.user_for_identity("https://id.example", "s1")) == a
    with pytest.raises(Conflict):  # the identity belongs to a
        await stores.users.link_identity(b.id, "https://id.example", "s1")
    with pytest.raises(Conflict):  # a already has a subject at this issuer
        await stores.users.link_identity(a.id, "https://id.example", "s2")
    await stores.users.link_identity(a.id, "https://other.example", "s1")  # another issuer is another identity
    await stores.users.link_identity(b.id, "https://id.example", "s2")
    assert (await stores.users.user_for_identity("https://id.example", "s2")) == b
    assert (await stores.users.user_for_identity("https://other.example", "s1")) == a


async def test_purge_erases_only_memories_deleted_before_the_cutoff(stores: Stores) -> None:
    u = await stores.users.create_user("purge@example.com", None)
    old, recent, live = await stores.memories.insert(u.id, [
        NewMemory("deleted long ago", "k1", unit_vector(1)), NewMemory("deleted just now", "k2", unit_vector(2)),
        NewMemory("still here", "k3", unit_vector(3)),
    ])
    assert await stores.memories.delete(u.id, [old.id]) == 1
    cutoff = time.time() + 0.001
    while time.time() < cutoff:  # deletion times are wall-clock: make sure the second one falls after the cutoff
        pass
    assert await stores.memories.delete(u.id, [recent.id]) == 1
    assert await stores.memories.purge_deleted(cutoff) == 1
    assert await stores.memories.purge_deleted(cutoff) == 0
    assert [m.id for m in await stores.memories.page(u.id, 10, None, Filters())] == [live.id]
    assert await stores.memories.purge_deleted(time.time() + 1) == 1


@pytest.mark.parametrize("filters", [
    Filters(), Filters(tags=("even",)), Filters(since=1003.0, until=1007.0), Filters(client_id="app-b"),
    Filters(include_chunks=True), Filters(tags=("even",), client_id="app-a", since=1001.0),
], ids=["none", "tag", "time", "app", "chunks", "all"])
async def test_hybrid_filters_its_candidates_as_lexical_and_dense_do(stores: Stores, filters: Filters) -> None:
    u = await stores.users.create_user("hy-filters@example.com", None)
    await stores.memories.insert(u.id, [
        NewMemory(f"note {i} about otters", f"k{i}", unit_vector(i), ("even",) if i % 2 == 0 else (),
                  "app-a" if i < 6 else "app-b", created_at=1000.0 + i) for i in range(10)])
    doc = Document("d-otters", u.id, "Otters", "otters in a document", "text", None, None, {}, 1000.0, 1000.0)
    await stores.documents.insert_document(doc, [NewMemory("otters in a document", "c1", unit_vector(50), (),
                                                           document_id=doc.id, created_at=1004.0)])
    vector = np.frombuffer(unit_vector(3), dtype=np.float32)
    seen: list[tuple[list[Scored], list[Scored]]] = []

    def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
        seen.append((list(lexical), list(dense)))
        return list(lexical)

    await stores.memories.hybrid(u.id, HybridQuery(("otters",), lambda: vector, 20, 20, filters, rank))
    [(lexical, dense)] = seen
    alone = await stores.memories.lexical(u.id, ["otters"], 20, filters)
    assert {(s.seq, s.created_at) for s in lexical} == {(s.seq, s.created_at) for s in alone} != set()
    assert {s.seq for s in dense} == {s.seq for s in await stores.memories.dense(u.id, vector, 20, filters)}


async def test_document_headers_and_find_document_stay_in_their_user(stores: Stores) -> None:
    a = await stores.users.create_user("dh-a@example.com", None)
    b = await stores.users.create_user("dh-b@example.com", None)
    mine = Document("d-mine", a.id, "Lease", "x" * 100_000, "text", "https://example.com/lease", None, {}, 1.0, 1.0)
    theirs = Document("d-theirs", b.id, "Secret", "y", "text", None, None, {}, 1.0, 1.0)
    await stores.documents.insert_document(mine, [])
    await stores.documents.insert_document(theirs, [])
    headers = await stores.documents.document_headers(a.id, ["d-mine", "d-theirs", "d-missing"])
    assert list(headers) == ["d-mine"]
    assert (headers["d-mine"].title, headers["d-mine"].source_url) == ("Lease", "https://example.com/lease")
    assert await stores.documents.document_headers(a.id, []) == {}
    assert await stores.documents.find_document(a.id, "Lease", "x" * 100_000) == "d-mine"
    assert await stores.documents.find_document(a.id, "Lease", "x" * 99_999) is None
    assert await stores.documents.find_document(a.id, "Secret", "y") is None  # b's document
