"""Replaced and expired memories (issue 13) on every backend: kept, linked, left out of queries unless asked."""

from __future__ import annotations

import time

import numpy as np
import pytest

from jean_memory.errors import Conflict
from jean_memory.store import Stores
from jean_memory.store.records import Filters, HybridQuery, NewMemory, Replacement, Scored
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio
HISTORY = Filters(include_history=True)


def vec(seed: int) -> np.ndarray:
    return np.frombuffer(unit_vector(seed), dtype=np.float32)


async def test_replacement_is_atomic_with_the_insert_and_hides_the_old_one(stores: Stores) -> None:
    user = await stores.users.create_user("h1@example.com", None)
    [old, other] = await stores.memories.insert(user.id, [
        NewMemory("Anna lives in Berlin", "k-old", unit_vector(1)),
        NewMemory("Anna likes tea", "k-tea", unit_vector(2))])
    await stores.memories.dense(user.id, vec(1), 10, Filters())  # warm any per-user cache before the change
    [new] = await stores.memories.insert(user.id, [NewMemory(
        "Anna lives in Munich", "k-new", unit_vector(1), replaces=(Replacement(old.id, "Berlin"),))])
    [got] = await stores.memories.get(user.id, [old.id])
    assert got.superseded_by == new.id and got.replaced_value == "Berlin"
    assert got.valid_until == pytest.approx(new.created_at)
    assert not got.is_current(time.time())
    assert old.seq not in [h.seq for h in await stores.memories.dense(user.id, vec(1), 10, Filters())]
    assert old.seq in [h.seq for h in await stores.memories.dense(user.id, vec(1), 10, HISTORY)]
    assert [h.seq for h in await stores.memories.lexical(user.id, ["anna"], 10, Filters())] != []
    assert old.seq not in [h.seq for h in await stores.memories.lexical(user.id, ["berlin"], 10, Filters())]
    assert [h.seq for h in await stores.memories.lexical(user.id, ["berlin"], 10, HISTORY)] == [old.seq]
    assert [m.id for m in await stores.memories.page(user.id, 10, None, Filters())] == [new.id, other.id]
    assert {m.id for m in await stores.memories.page(user.id, 10, None, HISTORY)} == {new.id, other.id, old.id}
    assert await stores.memories.count(user.id) == 2

    def rank(lexical: list[Scored], dense: list[Scored]) -> list[Scored]:
        return list({s.seq: s for s in (*dense, *lexical)}.values())

    hits = await stores.memories.hybrid(user.id, HybridQuery(("berlin",), lambda: vec(1), 10, 10, Filters(), rank))
    assert old.id not in [m.id for m, _ in hits]
    # The replaced memory no longer holds its words: the same text may be current again.
    [again] = await stores.memories.insert(user.id, [NewMemory("Anna lives in Berlin", "k-old", unit_vector(3))])
    assert (await stores.memories.find_by_keys(user.id, ["k-old"]))["k-old"].id == again.id
    assert [m.id for m in await stores.memories.predecessors(user.id, [new.id])] == [old.id]
    assert [m.id for m in await stores.memories.changes(user.id, 10)] == [old.id]


async def test_expired_memories_leave_queries_and_are_purged(stores: Stores) -> None:
    user = await stores.users.create_user("h2@example.com", None)
    now = time.time()
    [gone, soon, kept] = await stores.memories.insert(user.id, [
        NewMemory("in Paris this week", "k1", unit_vector(5), expires_at=now - 10),
        NewMemory("in Rome next month", "k2", unit_vector(6), expires_at=now + 3600),
        NewMemory("my cat is called Paris", "k3", unit_vector(7)),
    ])
    assert [h.seq for h in await stores.memories.lexical(user.id, ["paris"], 10, Filters())] == [kept.seq]
    assert {h.seq for h in await stores.memories.dense(user.id, vec(5), 10, Filters())} == {soon.seq, kept.seq}
    assert gone.seq in {h.seq for h in await stores.memories.dense(user.id, vec(5), 10, HISTORY)}
    assert await stores.memories.count(user.id) == 2
    assert [m.id for m in await stores.memories.get(user.id, [gone.id])] == [gone.id]  # by id: still there
    assert await stores.memories.purge_deleted(now - 100) == 0  # expired after the cut-off: kept for now
    assert await stores.memories.purge_deleted(now) == 1
    assert await stores.memories.get(user.id, [gone.id]) == []
    assert {h.seq for h in await stores.memories.dense(user.id, vec(5), 10, HISTORY)} == {soon.seq, kept.seq}


async def test_update_keeps_the_previous_text_as_a_replaced_version(stores: Stores) -> None:
    user = await stores.users.create_user("h3@example.com", None)
    [m] = await stores.memories.insert(user.id, [NewMemory("my phone is 111", "k-111", unit_vector(8), ("phone",))])
    updated = await stores.memories.update(user.id, m.id, "my phone is 222", "k-222", unit_vector(9), None)
    assert updated is not None and updated.id == m.id and updated.text == "my phone is 222"
    [old] = await stores.memories.predecessors(user.id, [m.id])
    assert old.id != m.id and old.text == "my phone is 111" and old.tags == ("phone",)
    assert old.superseded_by == m.id and old.valid_until is not None
    assert [x.id for x in await stores.memories.page(user.id, 10, None, Filters())] == [m.id]
    assert [h.seq for h in await stores.memories.lexical(user.id, ["111"], 10, HISTORY)] == [old.seq]
    assert await stores.memories.lexical(user.id, ["111"], 10, Filters()) == []
    # Tags alone, or the same text: no new version.
    await stores.memories.update(user.id, m.id, None, None, None, ("work",))
    assert len(await stores.memories.predecessors(user.id, [m.id])) == 1
    # Back to the old text: allowed, the replaced version holds no key.
    back = await stores.memories.update(user.id, m.id, "my phone is 111", "k-111", unit_vector(8), None)
    assert back is not None and back.text == "my phone is 111"
    assert len(await stores.memories.predecessors(user.id, [m.id])) == 2


async def test_unlink_makes_both_current_and_remembers_the_pair(stores: Stores) -> None:
    user = await stores.users.create_user("h4@example.com", None)
    other = await stores.users.create_user("h4b@example.com", None)
    [old] = await stores.memories.insert(user.id, [NewMemory("I drive a Golf", "k-golf", unit_vector(10))])
    [new] = await stores.memories.insert(user.id, [NewMemory(
        "I drive a Tesla", "k-tesla", unit_vector(11), replaces=(Replacement(old.id),))])
    assert await stores.memories.unlink(other.id, old.id) is None  # someone else's: unknown
    assert await stores.memories.unlink(user.id, new.id) is None  # not replaced
    back = await stores.memories.unlink(user.id, old.id)
    assert back is not None and back.superseded_by is None and back.valid_until is None
    assert await stores.memories.count(user.id) == 2
    assert await stores.memories.unlinked(user.id, [old.id]) == {(old.id, new.id)}
    assert await stores.memories.unlinked(other.id, [old.id]) == set()
    assert await stores.memories.changes(user.id, 10) == []
    assert old.seq in {h.seq for h in await stores.memories.dense(user.id, vec(10), 10, Filters())}


async def test_unlink_refuses_when_a_current_memory_says_the_same(stores: Stores) -> None:
    user = await stores.users.create_user("h5@example.com", None)
    [m] = await stores.memories.insert(user.id, [NewMemory("I work at Acme", "k-acme", unit_vector(12))])
    await stores.memories.update(user.id, m.id, "I work at Initech", "k-initech", unit_vector(13), None)
    [old] = await stores.memories.predecessors(user.id, [m.id])
    await stores.memories.insert(user.id, [NewMemory("I work at Acme", "k-acme", unit_vector(12))])
    with pytest.raises(Conflict):
        await stores.memories.unlink(user.id, old.id)
    [still] = await stores.memories.get(user.id, [old.id])
    assert still.superseded_by == m.id and await stores.memories.unlinked(user.id, [old.id]) == set()


async def test_versions_walk_a_long_chain_and_its_branches_in_one_query(stores: Stores) -> None:
    """``versions``: from any version, the head first, then every live memory the chain replaced, latest first;
    another user sees none of it. One query however long the chain (it was one round trip per version)."""
    user = await stores.users.create_user("h-chain@example.com", None)
    other = await stores.users.create_user("h-chain-other@example.com", None)
    [first] = await stores.memories.insert(user.id, [NewMemory("home: town 0", "c0", unit_vector(1))])
    chain = [first]
    for i in range(1, 60):
        [nxt] = await stores.memories.insert(user.id, [NewMemory(
            f"home: town {i}", f"c{i}", unit_vector(1), replaces=(Replacement(chain[-1].id, f"town {i - 1}"),))])
        chain.append(nxt)
    [side] = await stores.memories.insert(user.id, [NewMemory("work: Acme", "side", unit_vector(2))])
    [both] = await stores.memories.insert(user.id, [NewMemory("home: town 60, work: Initech", "c60", unit_vector(1),
                                                              replaces=(Replacement(chain[-1].id, "town 59"),
                                                                        Replacement(side.id, "Acme")))])
    expected = [both.id, *(m.id for m in sorted([*chain, side], key=lambda m: m.seq, reverse=True))]
    for start in (first, chain[30], both, side):
        got = [m.id for m in await stores.memories.versions(user.id, start.id, 1000)]
        assert got[0] == both.id and sorted(got) == sorted(expected)
        assert got.index(chain[-1].id) < got.index(chain[30].id) < got.index(first.id)  # latest replaced first
    assert len(await stores.memories.versions(user.id, first.id, 10)) == 10
    assert await stores.memories.versions(other.id, first.id, 1000) == []
    assert await stores.memories.versions(user.id, "no-such-id", 1000) == []
    await stores.memories.delete(user.id, [chain[40].id])  # a deleted link ends the walk there
    assert [m.id for m in await stores.memories.versions(user.id, chain[10].id, 1000)][0] == chain[39].id


async def test_flags_are_set_with_the_insert_and_confirmed_or_dismissed(stores: Stores) -> None:
    """Issue 19: a flagged memory stays current; confirm replaces it by the memory that flagged it, dismiss clears
    the flag and records the pair; deleting the newer memory clears its flags; another user reaches none of it."""
    user = await stores.users.create_user("f1@example.com", None)
    other = await stores.users.create_user("f2@example.com", None)
    [a, b] = await stores.memories.insert(user.id, [NewMemory("tea in the morning", "k-a", unit_vector(1)),
                                                    NewMemory("I live in Leeds", "k-b", unit_vector(2))])
    [c] = await stores.memories.insert(user.id, [NewMemory("coffee in the morning now", "k-c", unit_vector(1),
                                                           flags=(a.id,), occurred_at=123.0)])
    assert c.occurred_at == 123.0
    [got] = await stores.memories.get(user.id, [a.id])
    assert got.possibly_outdated_by == c.id and got.is_current(time.time()) and got.status(time.time()) == \
        "possibly_outdated"
    assert [m.id for m in await stores.memories.flagged(user.id, 10)] == [a.id]
    assert a.seq in [h.seq for h in await stores.memories.dense(user.id, vec(1), 10, Filters())]
    assert await stores.memories.resolve_flag(other.id, a.id, True) is None  # not theirs
    confirmed = await stores.memories.resolve_flag(user.id, a.id, True)
    assert confirmed is not None and confirmed.superseded_by == c.id and confirmed.possibly_outdated_by is None
    assert confirmed.valid_until == pytest.approx(c.created_at)
    assert await stores.memories.flagged(user.id, 10) == []
    assert a.seq not in [h.seq for h in await stores.memories.dense(user.id, vec(1), 10, Filters())]

    [d] = await stores.memories.insert(user.id, [NewMemory("I live in York", "k-d", unit_vector(2), flags=(b.id,))])
    dismissed = await stores.memories.resolve_flag(user.id, b.id, False)
    assert dismissed is not None and dismissed.possibly_outdated_by is None and dismissed.superseded_by is None
    assert await stores.memories.unlinked(user.id, [b.id]) == {(b.id, d.id)}
    assert await stores.memories.resolve_flag(user.id, b.id, False) is None  # no flag left

    [e] = await stores.memories.insert(user.id, [NewMemory("I live in Hull", "k-e", unit_vector(2), flags=(d.id,))])
    await stores.memories.delete(user.id, [e.id])
    [still] = await stores.memories.get(user.id, [d.id])
    assert still.possibly_outdated_by is None


async def test_an_edit_keeps_a_correction_not_a_change(stores: Stores) -> None:
    user = await stores.users.create_user("f3@example.com", None)
    [m] = await stores.memories.insert(user.id, [NewMemory("I live in Leds", "k-1", unit_vector(1))])
    await stores.memories.update(user.id, m.id, "I live in Leeds", "k-2", unit_vector(1), None)
    versions = await stores.memories.versions(user.id, m.id, 10)
    assert [v.correction for v in versions] == [False, True]
    assert await stores.memories.changes(user.id, 10) == []
