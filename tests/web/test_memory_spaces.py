"""The memory list with spaces: each memory's space as a badge, the filter by space, adding to a chosen space,
and shared spaces' memories (a reader sees them but cannot change them)."""

from __future__ import annotations

import re

import httpx
import pytest

from jean_memory.runtime import Runtime
from jean_memory.spaces.resolve import reach_of_person
from tests.conftest import Account
from tests.web.helpers import csrf_of, post_form
from tests.web.spaces_helpers import make_space, share

pytestmark = pytest.mark.anyio


def _badge(page: str, text: str) -> str:
    row = re.search(rf'<span class="memory-text">{re.escape(text)}</span>\s*<span class="badges">'
                    r'<span class="badge badge-space"[^>]*>([^<]+)</span>', page)
    assert row, f"no row for {text!r}"
    return row.group(1)


async def test_memories_show_their_space_filter_by_it_and_go_where_chosen(
        signed_in: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    work = await make_space(runtime, alice, "work")
    garden = await make_space(runtime, bob, "garden")
    await share(runtime, bob, garden, alice, "reader")
    [fern] = await runtime.memory.add(await reach_of_person(runtime.stores, bob.user_id), "Water the ferns weekly",
                                      space=garden.id)
    page = (await c.get("/dashboard")).text
    assert re.search(rf'<option value="{alice.user_id}" selected>personal</option>', page)  # the add form's space
    assert f'<option value="{garden.id}">garden (shared by' not in page  # only spaces Alice may write to
    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "Standup is at 9:30", "space": work.id})
    assert r.status_code == 303
    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "My bike is a blue Gazelle"})
    assert r.status_code == 303
    by_text = {m.text: m.space_id for m in (await runtime.memory.list(alice.user_id)).items}
    assert by_text == {"Standup is at 9:30": work.id, "My bike is a blue Gazelle": alice.user_id}

    page = (await c.get("/dashboard")).text
    assert _badge(page, "Standup is at 9:30") == "work"
    assert _badge(page, "My bike is a blue Gazelle") == "personal"
    assert _badge(page, "Water the ferns weekly") == "garden"  # shared with her
    assert "3 memories" in page
    only_work = (await c.get("/dashboard", params={"space": work.id})).text
    assert "Standup" in only_work and "Gazelle" not in only_work and "ferns" not in only_work
    assert re.search(rf'<option value="{work.id}" selected>work</option>', only_work)
    searched = (await c.get("/dashboard", params={"space": garden.id, "q": "watering the ferns"})).text
    assert "ferns" in searched and "Standup" not in searched and "Gazelle" not in searched
    for bad in (bob.user_id, "no-such-space"):
        r = await c.get("/dashboard", params={"space": bad})
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]

    # Alice only reads "garden": she can open its memories, not change, delete or add to them.
    shown = await c.get(f"/dashboard/memories/{fern.memory.id}")
    assert shown.status_code == 200 and "You are a reader in garden" in shown.text
    token = csrf_of(shown.text)
    r = await c.post(f"/dashboard/memories/{fern.memory.id}", data={"text": "Never water", "csrf_token": token})
    assert r.status_code == 403 and "garden" in r.text
    r = await c.post(f"/dashboard/memories/{fern.memory.id}/delete", data={"confirm": "yes", "csrf_token": token})
    assert r.status_code == 403
    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "Ferns hate water", "space": garden.id})
    assert r.status_code == 403
    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "Ferns hate water", "space": bob.user_id})
    assert r.status_code == 403
    assert [m.text for m in (await runtime.memory.list(bob.user_id)).items] == ["Water the ferns weekly"]
    r = await c.post("/dashboard/memories", data={"text": "planted", "space": work.id})
    assert r.status_code == 403 and await runtime.memory.count(alice.user_id) == 2
