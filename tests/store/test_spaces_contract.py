"""Spaces (issue 21) on every backend: the spaces, sharing, what a connection reaches, and memories kept per space."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from jean_memory.errors import Conflict
from jean_memory.store import Stores
from jean_memory.store.oauth import OAuthClient
from jean_memory.store.records import Document, Filters, HybridQuery, NewMemory, Replacement, Scored
from jean_memory.store.space_records import Reachable
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio


def _vector(seed: int) -> np.ndarray:
    return np.frombuffer(unit_vector(seed), dtype=np.float32)


async def test_every_account_has_a_personal_space_and_names_are_unique_per_owner(stores: Stores) -> None:
    a = await stores.users.create_user("a@example.com", None)
    b = await stores.users.create_user("b@example.com", None)
    [personal] = await stores.spaces.spaces_of(a.id)
    assert (personal.id, personal.owner_id, personal.name, personal.role) == (a.id, a.id, "personal", "owner")
    assert personal.personal and personal.owner_email == "a@example.com"
    work = await stores.spaces.create_space(a.id, "Work")
    assert work.owner_id == a.id and work.name == "Work" and not work.personal and work.owner_email == a.email
    with pytest.raises(Conflict):
        await stores.spaces.create_space(a.id, "WORK")  # case-insensitively
    assert (await stores.spaces.create_space(b.id, "work")).owner_id == b.id  # another owner's name is free
    assert await stores.spaces.create_space(a.id, "Archive") is not None
    assert [s.name for s in await stores.spaces.spaces_of(a.id)] == ["personal", "Archive", "Work"]
    renamed = await stores.spaces.rename_space(a.id, work.id, "Job")
    assert renamed is not None and renamed.name == "Job" and await stores.spaces.get_space(work.id) == renamed
    with pytest.raises(Conflict):
        await stores.spaces.rename_space(a.id, work.id, "archive")
    assert (await stores.spaces.get_space(work.id)) == renamed  # the refused rename wrote nothing
    assert await stores.spaces.rename_space(b.id, work.id, "Mine") is None  # not the owner
    assert await stores.spaces.rename_space(a.id, "no-such-space", "X") is None
    assert await stores.spaces.get_space("no-such-space") is None


async def test_invitations_members_and_roles(stores: Stores) -> None:
    owner = await stores.users.create_user("owner@example.com", None)
    friend = await stores.users.create_user("friend@example.com", None)
    home = await stores.spaces.create_space(owner.id, "Home")
    first = await stores.spaces.invite(home.id, " Friend@Example.com ", "reader", owner.id)
    assert (first.email, first.role, first.space_name, first.invited_by_email) == (
        "friend@example.com", "reader", "Home", "owner@example.com")
    again = await stores.spaces.invite(home.id, "friend@example.com", "writer", owner.id)
    assert again.id == first.id and again.role == "writer"  # inviting again changes the role
    assert await stores.spaces.invitations(home.id) == [again]
    assert await stores.spaces.invitations_for("FRIEND@example.com") == [again]
    assert await stores.spaces.accept_invitation(again.id, owner.id, "owner@example.com") is None  # not addressed
    joined = await stores.spaces.accept_invitation(again.id, friend.id, "friend@example.com")
    assert joined is not None and (joined.id, joined.role, joined.owner_email) == (home.id, "writer", owner.email)
    assert await stores.spaces.invitations(home.id) == []
    assert await stores.spaces.accept_invitation(again.id, friend.id, "friend@example.com") is None  # used up
    [member] = await stores.spaces.members(home.id)
    assert (member.user_id, member.email, member.role) == (friend.id, "friend@example.com", "writer")
    spaces = await stores.spaces.spaces_of(friend.id)
    assert [(s.id, s.role, s.can_write) for s in spaces] == [(friend.id, "owner", True), (home.id, "writer", True)]
    await stores.spaces.set_member(home.id, friend.id, "reader")
    assert [(s.role, s.can_write) for s in await stores.spaces.spaces_of(friend.id)][1] == ("reader", False)
    assert await stores.spaces.remove_member(home.id, friend.id)
    assert not await stores.spaces.remove_member(home.id, friend.id)
    assert [s.id for s in await stores.spaces.spaces_of(friend.id)] == [friend.id]
    declined = await stores.spaces.invite(home.id, "friend@example.com", "reader", owner.id)
    assert not await stores.spaces.decline_invitation(declined.id, "other@example.com")
    assert await stores.spaces.decline_invitation(declined.id, "Friend@example.com")
    assert await stores.spaces.invitations_for("friend@example.com") == []
    await stores.spaces.invite(home.id, "later@example.com", "reader", owner.id)
    assert await stores.spaces.cancel_invitation(home.id, "LATER@example.com")
    assert not await stores.spaces.cancel_invitation(home.id, "later@example.com")
    assert await stores.spaces.members(home.id) == []


async def _space_with_memories(stores: Stores) -> tuple[str, str, list[str]]:
    """An owner with personal and "Work" memories; (owner, work, ids)."""
    u = await stores.users.create_user("p@example.com", None)
    work = (await stores.spaces.create_space(u.id, "Work")).id
    stored = await stores.memories.insert(u.id, [
        NewMemory("the ferry leaves at noon", "k1", unit_vector(1)),
        NewMemory("the ferry standup is at ten", "k2", unit_vector(2), space_id=work),
        NewMemory("ferry budget review on friday", "k3", unit_vector(3), space_id=work, tags=("money",)),
    ])
    return u.id, work, [m.id for m in stored]


async def test_filters_spaces_narrow_page_lexical_dense_and_hybrid(stores: Stores) -> None:
    uid, work, ids = await _space_with_memories(stores)
    seq = {m.id: m.seq for m in await stores.memories.get(uid, ids)}
    want = {(): set(), (uid,): {ids[0]}, (work,): {ids[1], ids[2]}, (uid, work): set(ids), ("elsewhere",): set()}
    await stores.memories.dense(uid, _vector(1), 10, Filters())  # a dense cache of every space, filtered below
    for spaces, expected in want.items():
        filters = Filters(spaces=spaces)
        assert {m.id for m in await stores.memories.page(uid, 10, None, filters)} == expected
        seqs = {seq[i] for i in expected}
        assert {s.seq for s in await stores.memories.lexical(uid, ["ferry"], 10, filters)} == seqs
        assert {s.seq for s in await stores.memories.dense(uid, _vector(2), 10, filters)} == seqs

        def rank(lexical: Sequence[Scored], dense: Sequence[Scored]) -> list[Scored]:
            return [*lexical, *(d for d in dense if d.seq not in {s.seq for s in lexical})]

        hits = await stores.memories.hybrid(uid, HybridQuery(("ferry",), lambda: _vector(3), 10, 10, filters, rank))
        assert {m.id for m, _ in hits} == expected
        assert all(m.space_id in spaces for m, _ in hits)
    assert await stores.memories.count(uid) == 3
    assert await stores.memories.count(uid, [work]) == 2 and await stores.memories.count(uid, []) == 0
    tagged = Filters(spaces=(work,), tags=("money",))
    assert [m.id for m in await stores.memories.page(uid, 10, None, tagged)] == [ids[2]]
    # Added while the dense side is cached (SQLite extends its matrix), one in a space it has not seen yet.
    trip = (await stores.spaces.create_space(uid, "Trip")).id
    added = await stores.memories.insert(uid, [NewMemory("tent", "k4", unit_vector(4), space_id=work),
                                               NewMemory("stove", "k5", unit_vector(5), space_id=trip)])
    for spaces, expected in (((work,), {ids[1], ids[2], added[0].id}), ((trip,), {added[1].id}),
                             ((uid, trip), {ids[0], added[1].id}), ((uid, work, trip), {*ids, *(m.id for m in added)})):
        seqs = {m.seq for m in await stores.memories.get(uid, list(expected))}
        assert {s.seq for s in await stores.memories.dense(uid, _vector(4), 10, Filters(spaces=spaces))} == seqs


async def test_memories_carry_space_and_author_and_are_found_across_partitions(stores: Stores) -> None:
    uid, work, ids = await _space_with_memories(stores)
    friend = await stores.users.create_user("f@example.com", None)
    [written] = await stores.memories.insert(uid, [NewMemory("a note from a friend", "k4", unit_vector(4),
                                                             space_id=work, author_id=friend.id)])
    assert (written.user_id, written.space_id, written.author_id) == (uid, work, friend.id)
    [read] = await stores.memories.get(uid, [written.id])
    assert read == written
    [own] = await stores.memories.insert(friend.id, [NewMemory("my own note", "k5", unit_vector(5))])
    assert (own.space_id, own.author_id) == (friend.id, None)
    found = await stores.memories.get_in_spaces([work, friend.id], [ids[0], ids[1], written.id, own.id])
    assert {m.id for m in found} == {ids[1], written.id, own.id}  # ids[0] is in a space not asked for
    assert await stores.memories.get_in_spaces([], [ids[0]]) == []
    await stores.memories.delete(uid, [ids[1]])
    assert {m.id for m in await stores.memories.get_in_spaces([work], [ids[1], written.id])} == {written.id}


async def test_dedupe_and_replacement_stay_within_a_space(stores: Stores) -> None:
    uid, work, ids = await _space_with_memories(stores)
    [twin] = await stores.memories.insert(uid, [NewMemory("the ferry leaves at noon", "k1", unit_vector(1),
                                                          space_id=work)])  # the same text, another space
    assert twin.id != ids[0] and await stores.memories.count(uid) == 4
    with pytest.raises(Conflict):
        await stores.memories.insert(uid, [NewMemory("the ferry leaves at noon", "k1", unit_vector(1))])
    assert [m.id for m in (await stores.memories.find_by_keys(uid, ["k1"])).values()] == [ids[0]]
    assert [m.id for m in (await stores.memories.find_by_keys(uid, ["k1"], work)).values()] == [twin.id]
    assert await stores.memories.find_by_keys(uid, ["k2"]) == {}
    # A replacement or a flag naming a memory of another space is ignored; within the space it holds.
    [newer] = await stores.memories.insert(uid, [NewMemory(
        "the ferry leaves at one", "k6", unit_vector(6), replaces=(Replacement(ids[0]), Replacement(twin.id)),
        flags=(ids[1],))])
    by_id = {m.id: m for m in await stores.memories.get(uid, [ids[0], twin.id, ids[1]])}
    assert by_id[ids[0]].superseded_by == newer.id
    assert by_id[twin.id].superseded_by is None and by_id[ids[1]].possibly_outdated_by is None
    [in_work] = await stores.memories.insert(uid, [NewMemory("standup moved to eleven", "k7", unit_vector(7),
                                                             space_id=work, flags=(ids[1],))])
    [flagged] = await stores.memories.get(uid, [ids[1]])
    assert flagged.possibly_outdated_by == in_work.id
    assert await stores.memories.resolve_flag(uid, ids[1], True, newer.id) is None  # a newer of another space
    assert (await stores.memories.get(uid, [ids[1]]))[0].superseded_by is None


async def test_activity_is_written_with_each_add_update_and_delete(stores: Stores) -> None:
    uid, work, ids = await _space_with_memories(stores)
    friend = await stores.users.create_user("writer@example.com", None)
    long_text = "standup notes " + "x" * 300
    [m] = await stores.memories.insert(uid, [NewMemory(long_text, "k8", unit_vector(8), client_id="claude",
                                                       space_id=work, author_id=friend.id)])
    now = time.time()
    await stores.documents.insert_document(Document("d1", uid, "Doc", "text", "text", None, None, {}, now, now,
                                                    work), [NewMemory("a chunk", "c", unit_vector(9),
                                                                      document_id="d1")])
    assert await stores.memories.update(uid, m.id, "standup at eleven", "k9", unit_vector(9), None,
                                        actor=friend.id) is not None
    assert await stores.memories.update(uid, ids[1], None, None, None, ("t",)) is not None  # by the owner
    assert await stores.memories.delete(uid, [m.id, ids[0]], actor=friend.id) == 2
    entries = await stores.spaces.activity(work, 10)
    assert [(e.action, e.memory_id, e.actor_id) for e in entries] == [
        ("delete", m.id, friend.id), ("update", ids[1], uid), ("update", m.id, friend.id),
        ("add", m.id, friend.id), ("add", ids[2], uid), ("add", ids[1], uid)]  # no chunk, newest first
    add = entries[3]
    assert add.client_id == "claude" and add.text == long_text[:200] and add.actor_email == "writer@example.com"
    assert entries[2].text == "standup at eleven" and entries[0].at >= add.at
    assert [(e.action, e.memory_id) for e in await stores.spaces.activity(uid, 10)] == [
        ("delete", ids[0]), ("add", ids[0])]
    assert len(await stores.spaces.activity(work, 2)) == 2
    # Every memory of a space: ids[1], ids[2] and the version the edit of ``m`` kept (not the personal ones).
    assert await stores.memories.delete(uid, None, [work]) == 3
    assert await stores.memories.count(uid) == 0 and await stores.memories.count(uid, [work]) == 0
    assert [e.action for e in await stores.spaces.activity(work, 3)] == ["delete"] * 3


async def test_delete_space_moves_or_deletes_its_memories_and_documents(stores: Stores) -> None:
    uid, work, ids = await _space_with_memories(stores)
    other = await stores.users.create_user("o@example.com", None)
    now = time.time()
    await stores.documents.insert_document(Document("d1", uid, "Doc", "text", "text", None, None, {}, now, now,
                                                    work), [NewMemory("a ferry chunk", "c", unit_vector(9),
                                                                      document_id="d1")])
    [dupe] = await stores.memories.insert(uid, [NewMemory("the ferry leaves at noon", "k1", unit_vector(1),
                                                          space_id=work)])  # the personal space holds it too
    await stores.spaces.set_member(work, other.id, "reader")
    await stores.spaces.invite(work, "later@example.com", "reader", uid)
    key = await stores.api_keys.create_key(uid, "k", "hash-1", "jm_1", (uid, work), work)
    await stores.oauth.save_client(OAuthClient("client-1", "Claude", ("https://claude.ai/cb",), "none",
                                               ("authorization_code",), "memory:read", {}, now))
    await stores.oauth.save_grant(other.id, "client-1", "memory:read", now)
    await stores.spaces.set_grant_reach(other.id, "client-1", Reachable((other.id, work), work))  # a member's
    await stores.memories.dense(uid, _vector(1), 10, Filters())  # a dense cache the move must not leave stale
    assert not await stores.spaces.delete_space(uid, uid, None)  # never the personal space
    assert not await stores.spaces.delete_space(other.id, work, None)  # not the owner
    assert not await stores.spaces.delete_space(uid, work, other.id)  # a target the owner does not own
    assert await stores.memories.count(uid, [work]) == 3 and await stores.spaces.get_space(work) is not None
    assert await stores.spaces.delete_space(uid, work, uid)
    assert await stores.spaces.get_space(work) is None and await stores.spaces.members(work) == []
    assert await stores.spaces.invitations_for("later@example.com") == []
    assert await stores.memories.get(uid, [dupe.id]) == []  # its text was in the target already: deleted
    moved = await stores.memories.page(uid, 10, None, Filters(spaces=(uid,)))
    assert {m.id for m in moved} == set(ids) and all(m.space_id == uid for m in moved)
    dense = await stores.memories.dense(uid, _vector(3), 10, Filters(spaces=(uid,)))
    assert {s.seq for s in dense} == {m.seq for m in moved}
    assert await stores.memories.dense(uid, _vector(3), 10, Filters(spaces=(work,))) == []
    doc = await stores.documents.get_document(uid, "d1")
    assert doc is not None and doc.space_id == uid
    assert [m.space_id for m in await stores.memories.page(uid, 10, None, Filters(include_chunks=True))
            if m.document_id] == [uid]
    [reread] = await stores.api_keys.list_keys(uid)
    assert reread.id == key.id and reread.spaces == (uid,) and reread.write_space is None
    assert await stores.spaces.grant_reach(other.id, "client-1") == Reachable((other.id,), None)
    # Deleting with it: its memories soft-deleted, its documents gone with their chunks.
    trip = (await stores.spaces.create_space(uid, "Trip")).id
    [t] = await stores.memories.insert(uid, [NewMemory("pack the tent", "k9", unit_vector(9), space_id=trip)])
    await stores.documents.insert_document(Document("d2", uid, "Tickets", "t", "text", None, None, {}, now, now,
                                                    trip), [NewMemory("seat 12A", "c2", unit_vector(10),
                                                                      document_id="d2")])
    assert await stores.spaces.delete_space(uid, trip, None)
    assert await stores.memories.get(uid, [t.id]) == [] and await stores.documents.get_document(uid, "d2") is None
    assert await stores.memories.lexical(uid, ["seat"], 5, Filters(include_chunks=True)) == []
    assert await stores.memories.count(uid) == 3
    assert not await stores.spaces.delete_space(uid, trip, None)  # gone


async def test_documents_belong_to_a_space(stores: Stores) -> None:
    u = await stores.users.create_user("d@example.com", None)
    friend = await stores.users.create_user("f@example.com", None)
    work = (await stores.spaces.create_space(u.id, "Work")).id
    now = time.time()
    await stores.documents.insert_document(Document("d1", u.id, "Personal", "a", "text", None, None, {}, now, now),
                                           [NewMemory("a chunk of mine", "c", unit_vector(1), document_id="d1")])
    await stores.documents.insert_document(Document("d2", u.id, "Work", "b", "text", None, None, {}, now + 1,
                                                    now + 1, work), [])
    assert [d.id for d in await stores.documents.list_documents(u.id, 10, 0)] == ["d2", "d1"]
    assert [d.id for d in await stores.documents.list_documents(u.id, 10, 0, [work])] == ["d2"]
    assert await stores.documents.list_documents(u.id, 10, 0, []) == []
    found = await stores.documents.get_document_in_spaces([work, friend.id], "d2")
    assert found is not None and found.space_id == work and found.user_id == u.id
    assert await stores.documents.get_document_in_spaces([work, friend.id], "d1") is None
    [chunk] = await stores.memories.page(u.id, 10, None, Filters(include_chunks=True, spaces=(u.id,)))
    assert chunk.document_id == "d1" and chunk.space_id == u.id


async def test_key_and_grant_reach_round_trip(stores: Stores) -> None:
    u = await stores.users.create_user("k@example.com", None)
    other = await stores.users.create_user("x@example.com", None)
    work = (await stores.spaces.create_space(u.id, "Work")).id
    every = await stores.api_keys.create_key(u.id, "all", "hash-all", "jm_a")
    assert (every.spaces, every.write_space) == (None, None)
    narrow = await stores.api_keys.create_key(u.id, "work", "hash-work", "jm_w", (work,), work)
    assert (narrow.spaces, narrow.write_space) == ((work,), work)
    found = await stores.api_keys.find_key("hash-work")
    assert found is not None and (found.spaces, found.write_space) == ((work,), work)
    assert {k.id: k.spaces for k in await stores.api_keys.list_keys(u.id)} == {every.id: None, narrow.id: (work,)}
    assert await stores.spaces.key_reach(every.id) == Reachable()
    assert await stores.spaces.key_reach(narrow.id) == Reachable((work,), work)
    assert await stores.spaces.set_key_reach(u.id, every.id, Reachable((), None))
    assert await stores.spaces.key_reach(every.id) == Reachable((), None)  # nothing, not everything
    assert not await stores.spaces.set_key_reach(other.id, narrow.id, Reachable())  # not theirs
    assert await stores.spaces.key_reach(narrow.id) == Reachable((work,), work)
    assert await stores.api_keys.revoke_key(u.id, narrow.id)
    assert await stores.spaces.key_reach(narrow.id) is None
    assert not await stores.spaces.set_key_reach(u.id, narrow.id, Reachable())
    assert await stores.spaces.key_reach("no-such-key") is None
    now = time.time()
    await stores.oauth.save_client(OAuthClient("client-1", "Claude", ("https://claude.ai/cb",), "none",
                                               ("authorization_code",), "memory:read", {}, now))
    assert await stores.spaces.grant_reach(u.id, "client-1") is None
    assert not await stores.spaces.set_grant_reach(u.id, "client-1", Reachable((work,)))
    await stores.oauth.save_grant(u.id, "client-1", "memory:read", now)
    assert await stores.spaces.grant_reach(u.id, "client-1") == Reachable()  # a grant before a picker: everything
    assert await stores.spaces.set_grant_reach(u.id, "client-1", Reachable((u.id, work), work))
    assert await stores.spaces.grant_reach(u.id, "client-1") == Reachable((u.id, work), work)
    await stores.oauth.save_grant(u.id, "client-1", "memory:read", now + 1)  # consenting again keeps it
    assert await stores.spaces.grant_reach(u.id, "client-1") == Reachable((u.id, work), work)
    assert await stores.spaces.grant_reach(other.id, "client-1") is None
