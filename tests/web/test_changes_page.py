"""The dashboard's Changes page (undo with CSRF), a memory's history section, and expiry on the add form."""

from __future__ import annotations

import httpx
import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.web.helpers import csrf_of, login

pytestmark = pytest.mark.anyio


async def test_changes_page_lists_replacements_and_undo_works(client: httpx.AsyncClient, alice: Account,
                                                              runtime: Runtime) -> None:
    assert (await login(client, alice.email, alice.password)).status_code == 303
    [old] = await runtime.memory.add(alice.user_id, "I live in Bristol")
    [new] = await runtime.memory.add(alice.user_id, "I moved to Bath")
    page = await client.get("/dashboard/changes")
    assert page.status_code == 200 and "I live in Bristol" in page.text and "I moved to Bath" in page.text
    action = f"/dashboard/changes/{old.memory.id}/undo"
    assert f'action="{action}"' in page.text
    assert (await client.post(action, data={"csrf_token": "wrong"})).status_code == 403
    assert (await runtime.memory.get(alice.user_id, old.memory.id)).superseded_by == new.memory.id
    r = await client.post(action, data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/changes?notice=undone"
    assert (await runtime.memory.get(alice.user_id, old.memory.id)).superseded_by is None
    after = await client.get(r.headers["location"])
    assert "both memories are current again" in after.text and "No changes yet." in after.text
    r = await client.post(action, data={"csrf_token": csrf_of(page.text)})  # nothing to undo any more
    assert r.status_code == 404


async def test_memory_page_shows_its_history(client: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    assert (await login(client, alice.email, alice.password)).status_code == 303
    [m] = await runtime.memory.add(alice.user_id, "My gym is FitFirst")
    await runtime.memory.update(alice.user_id, m.memory.id, "My gym is IronWorks")
    page = await client.get(f"/dashboard/memories/{m.memory.id}")
    assert 'id="history-heading"' in page.text and "My gym is FitFirst" in page.text
    [old] = await runtime.stores.memories.predecessors(alice.user_id, [m.memory.id])
    old_page = await client.get(f"/dashboard/memories/{old.id}")
    assert 'id="replaced-notice"' in old_page.text


async def test_add_form_takes_an_expiry(client: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    assert (await login(client, alice.email, alice.password)).status_code == 303
    page = await client.get("/dashboard")
    assert 'name="expires"' in page.text
    r = await client.post("/dashboard/memories", data={"text": "Hotel room 214", "expires": "3d",
                                                       "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    [m] = (await runtime.memory.list(alice.user_id)).items
    assert m.expires_at is not None
    r = await client.post("/dashboard/memories", data={"text": "Hotel room 215", "expires": "later",
                                                       "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "expires must be" in r.text


async def test_another_user_cannot_decide_or_read_a_flag(client: httpx.AsyncClient, alice: Account, bob: Account,
                                                        runtime: Runtime) -> None:
    """Bob, signed in with a valid CSRF token, posts Confirm and Dismiss for Alice's flagged memory: 404 as for an
    unknown id, and Alice's memories are as they were; the add notice never reads Alice's memory for him."""
    await runtime.memory.add(alice.user_id, "I live in Leeds")
    [york] = await runtime.memory.add(alice.user_id, "I live in York")
    [leeds] = york.flagged
    assert (await login(client, bob.email, bob.password)).status_code == 303
    page = await client.get("/dashboard/changes")
    assert "Leeds" not in page.text and "York" not in page.text
    token = csrf_of(page.text)
    for decision in ("confirm", "dismiss"):
        theirs = await client.post(f"/dashboard/flags/{leeds.id}", data={"csrf_token": token, "decision": decision})
        nobodys = await client.post(f"/dashboard/flags/{'0' * 36}", data={"csrf_token": token, "decision": decision})
        assert theirs.status_code == nobodys.status_code == 404
        assert "Leeds" not in theirs.text
    for notice in ("replaced", "flagged"):
        shown = await client.get("/dashboard", params={"notice": notice, "said": leeds.id})
        assert shown.status_code == 200 and "Leeds" not in shown.text
    now = await runtime.memory.get(alice.user_id, leeds.id)
    assert now.superseded_by is None and now.possibly_outdated_by == york.memory.id
    assert [c.old.id for c in await runtime.memory.flags(alice.user_id)] == [leeds.id]
