"""Flags, ``replaces`` and search through history at their edges (issue 19 review): a flag whose newer memory was
since replaced by the flagged one, a change back after two changes, and the caller's filters on a chain's latest
version."""

from __future__ import annotations

import pytest

from jean_memory.errors import Conflict, NotFound
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio

GYM_40, GYM_45 = "My gym membership costs 40 euros a month", "My gym membership costs 45 euros a month"


async def test_restating_a_flagged_memory_over_its_flagger_clears_the_flag_and_confirm_never_hides_both(
        runtime: Runtime, alice: Account) -> None:
    """40 is flagged by 45; the user says 40 again, naming 45 in ``replaces``: 45 is replaced by 40, the add says
    so, and 40 is no longer "possibly outdated" by its own earlier version. Confirming that stale flag used to
    mark 40 replaced by 45 as well: a cycle that hid both from every search."""
    memory = runtime.memory
    [old] = await memory.add(alice.user_id, GYM_40)
    [new] = await memory.add(alice.user_id, GYM_45)
    assert [m.id for m in new.flagged] == [old.memory.id]
    [again] = await memory.add(alice.user_id, GYM_40, replaces=[new.memory.id])
    assert not again.created and again.memory.id == old.memory.id
    assert [m.id for m in again.replaced] == [new.memory.id] and again.replaced[0].superseded_by == old.memory.id
    assert again.memory.possibly_outdated_by is None
    forty = await memory.get(alice.user_id, old.memory.id)
    assert forty.superseded_by is None and forty.status(0) == "current"
    assert await memory.flags(alice.user_id) == []
    with pytest.raises(NotFound):
        await memory.resolve_flag(alice.user_id, old.memory.id, "confirm")
    assert [h.memory.id for h in await memory.search(alice.user_id, "gym membership")] == [old.memory.id]


async def test_restating_a_flagged_memory_over_its_flaggers_successor_clears_the_flag(runtime: Runtime,
                                                                                      alice: Account) -> None:
    """40 flagged by 45, 45 replaced by 50, then 40 said again naming 50: 40 heads the chain 45 -> 50 -> 40, so
    its flag by 45 no longer holds."""
    memory = runtime.memory
    [old] = await memory.add(alice.user_id, GYM_40)
    [new] = await memory.add(alice.user_id, GYM_45)
    [newest] = await memory.add(alice.user_id, "My gym membership costs 50 euros a month",
                                replaces=[new.memory.id], judge=False)
    [again] = await memory.add(alice.user_id, GYM_40, replaces=[newest.memory.id])
    assert [m.id for m in again.replaced] == [newest.memory.id] and again.memory.possibly_outdated_by is None
    assert [h.memory.id for h in await memory.search(alice.user_id, "gym membership")] == [old.memory.id]


async def test_a_flag_whose_newer_memory_was_replaced_by_the_flagged_one_is_not_confirmed(
        runtime: Runtime, alice: Account) -> None:
    """A store that already holds the stale flag (45 replaced by 40, 40 still flagged by 45): confirm answers a
    clear conflict and changes nothing; dismiss clears it."""
    memory, store = runtime.memory, runtime.stores.memories
    [old] = await memory.add(alice.user_id, GYM_40)
    [new] = await memory.add(alice.user_id, GYM_45)
    await store.resolve_flag(alice.user_id, new.memory.id, True, new_id=old.memory.id)  # bypasses the service
    assert (await memory.get(alice.user_id, old.memory.id)).possibly_outdated_by == new.memory.id
    with pytest.raises(Conflict, match="dismiss"):
        await memory.resolve_flag(alice.user_id, old.memory.id, "confirm")
    assert (await memory.get(alice.user_id, old.memory.id)).superseded_by is None
    assert (await memory.resolve_flag(alice.user_id, old.memory.id, "dismiss")).status(0) == "current"
    assert [h.memory.id for h in await memory.search(alice.user_id, "gym membership")] == [old.memory.id]


async def test_a_flag_whose_newer_memory_was_replaced_by_a_third_is_confirmed_into_the_chain(
        runtime: Runtime, alice: Account) -> None:
    """40 flagged by 45, 45 replaced by 50 (unjudged, so 50 does not flag 40 itself): confirming 40 hides it behind
    45, whose chain leads to 50."""
    memory = runtime.memory
    [old] = await memory.add(alice.user_id, GYM_40)
    [new] = await memory.add(alice.user_id, GYM_45)
    [newest] = await memory.add(alice.user_id, "My gym membership costs 50 euros a month",
                                replaces=[new.memory.id], judge=False)
    done = await memory.resolve_flag(alice.user_id, old.memory.id, "confirm")
    assert done.superseded_by == new.memory.id
    assert [h.memory.id for h in await memory.search(alice.user_id, "gym membership")] == [newest.memory.id]


async def test_a_value_restated_after_two_changes_replaces_the_latest_version(runtime: Runtime,
                                                                              alice: Account) -> None:
    """Berlin, then Munich, then Hamburg (each replacing the one before); "lives in Berlin" again is a change back:
    it replaces Hamburg, the chain's latest version (it followed one step only, found Munich replaced, and left
    Hamburg current beside the new Berlin, merely flagged)."""
    memory = runtime.memory
    [berlin] = await memory.add(alice.user_id, "My sister Anna lives in Berlin")
    [munich] = await memory.add(alice.user_id, "Anna moved to Munich", replaces=[berlin.memory.id])
    [hamburg] = await memory.add(alice.user_id, "Anna moved to Hamburg", replaces=[munich.memory.id])
    [back] = await memory.add(alice.user_id, "My sister Anna lives in Berlin")
    assert back.created and [m.id for m in back.replaced] == [hamburg.memory.id]
    assert [m.text for m in (await memory.list(alice.user_id)).items] == ["My sister Anna lives in Berlin"]


async def test_search_through_history_keeps_the_callers_filters(runtime: Runtime, alice: Account) -> None:
    """A replaced memory that matches stands for its chain's latest version only when that version passes the
    caller's tag, app and time filters (they were applied to the replaced one alone)."""
    memory = runtime.memory
    [berlin] = await memory.add(alice.user_id, "My sister Anna lives in Berlin", tags=["family"], client_id="app-a")
    [munich] = await memory.add(alice.user_id, "Anna moved to Munich", replaces=[berlin.memory.id],
                                client_id="app-b")
    question = "where does my sister live"
    assert [h.memory.id for h in await memory.search(alice.user_id, question)][:1] == [munich.memory.id]
    assert await memory.search(alice.user_id, question, tags=["family"]) == []
    assert await memory.search(alice.user_id, question, client_id="app-a") == []
    assert await memory.search(alice.user_id, question, until=munich.memory.created_at) == []
    [tagged] = await memory.add(alice.user_id, "Anna moved to Hamburg", tags=["family"],
                                replaces=[munich.memory.id])
    found = await memory.search(alice.user_id, question, tags=["family"])
    assert [h.memory.id for h in found] == [tagged.memory.id]
