"""Flags, ``replaces`` and search through history at their edges (issue 19 review): a flag whose newer memory was
since replaced by the flagged one, a change back after two changes, and the caller's filters on a chain's latest
version."""

from __future__ import annotations

import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio

GYM_40, GYM_45 = "My gym membership costs 40 euros a month", "My gym membership costs 45 euros a month"


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
