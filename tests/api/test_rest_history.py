"""REST: memories carry superseded_by / valid_until / expires_at; include_history; expires; a memory's history."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_replaced_memories_are_marked_and_only_come_back_when_asked(client: httpx.AsyncClient,
                                                                          alice: Account) -> None:
    h = alice.headers
    old = (await client.post("/api/v1/memories", json={"text": "I live in Leeds"}, headers=h)).json()["memories"][0]
    assert old["superseded_by"] is None and old["valid_until"] is None and old["expires_at"] is None
    new = (await client.post("/api/v1/memories", json={"text": "I moved to York"}, headers=h)).json()["memories"][0]
    hits = (await client.get("/api/v1/search", params={"q": "where do I live"}, headers=h)).json()
    assert [x["memory"]["id"] for x in hits] == [new["id"]]  # the only current memory
    hits = (await client.get("/api/v1/search", params={"q": "where do I live", "include_history": "true"},
                             headers=h)).json()
    stale = next(x["memory"] for x in hits if x["memory"]["id"] == old["id"])
    assert stale["superseded_by"] == new["id"] and stale["valid_until"].endswith("Z")
    posted = (await client.post("/api/v1/search", json={"query": "Leeds", "include_history": True},
                                headers=h)).json()
    assert posted[0]["memory"]["id"] == old["id"]
    current = (await client.post("/api/v1/search", json={"query": "Leeds"}, headers=h)).json()
    assert old["id"] not in [x["memory"]["id"] for x in current]
    listed = (await client.get("/api/v1/memories", headers=h)).json()["memories"]
    assert [m["id"] for m in listed] == [new["id"]]
    listed = (await client.get("/api/v1/memories", params={"include_history": "true"}, headers=h)).json()
    assert {m["id"] for m in listed["memories"]} == {new["id"], old["id"]}
    got = (await client.get(f"/api/v1/memories/{old['id']}", headers=h)).json()
    assert got["superseded_by"] == new["id"]
    history = (await client.get(f"/api/v1/memories/{new['id']}/history", headers=h)).json()
    assert [m["id"] for m in history] == [new["id"], old["id"]]


async def test_patch_keeps_history_and_expires_is_checked(client: httpx.AsyncClient, alice: Account) -> None:
    h = alice.headers
    m = (await client.post("/api/v1/memories", json={"text": "My dentist is Dr Ruiz"}, headers=h)).json()["memories"][0]
    r = await client.patch(f"/api/v1/memories/{m['id']}", json={"text": "My dentist is Dr Chen"}, headers=h)
    assert r.status_code == 200 and r.json()["id"] == m["id"]
    history = (await client.get(f"/api/v1/memories/{m['id']}/history", headers=h)).json()
    assert [x["text"] for x in history] == ["My dentist is Dr Chen", "My dentist is Dr Ruiz"]
    assert history[1]["superseded_by"] == m["id"]

    r = await client.post("/api/v1/memories", json={"text": "Parked on level 3", "expires": "12h"}, headers=h)
    assert r.status_code == 201 and r.json()["memories"][0]["expires_at"].endswith("Z")
    r = await client.post("/api/v1/memories", json={"text": "Parked on level 4", "expires": "someday"}, headers=h)
    assert r.status_code in (400, 422) and "expires must be" in r.text
    assert "level 4" not in (await client.get("/api/v1/memories", headers=h)).text
