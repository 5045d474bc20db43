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


async def test_an_add_says_what_it_replaced_and_flagged_and_flags_are_decided(
        client: httpx.AsyncClient, alice: Account, bob: Account) -> None:
    """Issue 19 over REST: the add's answer names what it replaced and flagged; POST /memories/{id}/flag."""
    h = alice.headers
    await client.post("/api/v1/memories", json={"text": "My sister Anna lives in Berlin"}, headers=h)
    moved = (await client.post("/api/v1/memories", json={"text": "My sister Anna lives in Munich now"},
                               headers=h)).json()
    assert [r["memory"]["text"] for r in moved["replaced"]] == ["My sister Anna lives in Berlin"]
    assert moved["replaced"][0]["by"] == moved["memories"][0]["id"] and moved["replaced"][0]["reason"]
    leeds = (await client.post("/api/v1/memories", json={"text": "I live in Leeds"}, headers=h)).json()
    york = (await client.post("/api/v1/memories", json={"text": "I live in York"}, headers=h)).json()
    old_id = leeds["memories"][0]["id"]
    assert [f["memory"]["id"] for f in york["flagged"]] == [old_id]
    assert york["flagged"][0]["memory"]["status"] == "possibly_outdated"
    # told today about 2020: an older fact, stored already flagged by the newer one; it flags nothing
    hull = (await client.post("/api/v1/memories", json={"text": "I live in Hull", "occurred_at": "2020-01-05"},
                              headers=h)).json()
    assert hull["memories"][0]["occurred_at"] == "2020-01-05T00:00:00Z" and hull["flagged"] == []
    assert hull["memories"][0]["status"] == "possibly_outdated"
    assert (await client.post(f"/api/v1/memories/{old_id}/flag", json={"decision": "perhaps"},
                              headers=h)).status_code == 400
    assert (await client.post(f"/api/v1/memories/{old_id}/flag", json={"decision": "confirm"},
                              headers=bob.headers)).status_code == 404  # not Bob's
    done = await client.post(f"/api/v1/memories/{old_id}/flag", json={"decision": "confirm"}, headers=h)
    assert done.status_code == 200 and done.json()["status"] == "replaced"
    again = await client.post(f"/api/v1/memories/{old_id}/flag", json={"decision": "dismiss"}, headers=h)
    assert again.status_code == 404
    bad = await client.post("/api/v1/memories", json={"text": "x", "replaces": ["nope"]}, headers=h)
    assert bad.status_code == 400 and "replaces" in bad.text
    listed = [m["text"] for m in (await client.get("/api/v1/memories", headers=h)).json()["memories"]]
    assert "I live in York" in listed and "I live in Leeds" not in listed


async def test_export_and_import_keep_status_flags_and_occurred_at(runtime, alice: Account, bob: Account) -> None:
    memory = runtime.memory
    await memory.add(alice.user_id, "Default browser: Chrome", occurred_at="2025-05-01")
    [firefox] = await memory.add(alice.user_id, "Firefox is my main browser now")
    assert firefox.flagged
    records = [r async for r in memory.export(alice.user_id)]
    chrome = next(r for r in records if r.get("text") == "Default browser: Chrome")
    assert chrome["status"] == "possibly_outdated" and chrome["possibly_outdated_by"] == firefox.memory.id
    assert chrome["occurred_at"] == 1746057600.0
    await memory.import_records(bob.user_id, records)
    imported = {m.text: m for m in (await memory.list(bob.user_id)).items}
    assert imported["Default browser: Chrome"].occurred_at == 1746057600.0


async def test_another_users_ids_in_replaces_and_flag_look_unknown(client: httpx.AsyncClient, alice: Account,
                                                                   bob: Account) -> None:
    """Bob names Alice's memories in ``replaces`` and decides her flag: the answers are those for an unknown id
    (no way to learn her ids exist), nothing is saved for Bob and nothing of Alice's changes."""
    h = alice.headers
    await client.post("/api/v1/memories", json={"text": "I live in Leeds"}, headers=h)
    york = (await client.post("/api/v1/memories", json={"text": "I live in York"}, headers=h)).json()
    leeds_id, york_id = york["flagged"][0]["memory"]["id"], york["memories"][0]["id"]
    fake = "0" * 36
    for path, body in [("/api/v1/memories/{}/flag", {"decision": "confirm"}),
                       ("/api/v1/memories/{}/flag", {"decision": "dismiss"})]:
        theirs = await client.post(path.format(leeds_id), json=body, headers=bob.headers)
        nobodys = await client.post(path.format(fake), json=body, headers=bob.headers)
        assert theirs.status_code == nobodys.status_code == 404
        assert theirs.text.replace(leeds_id, "ID") == nobodys.text.replace(fake, "ID")
    for target in (leeds_id, york_id):
        theirs = await client.post("/api/v1/memories", json={"text": "I live in Hull", "replaces": [target]},
                                   headers=bob.headers)
        nobodys = await client.post("/api/v1/memories", json={"text": "I live in Hull", "replaces": [fake]},
                                    headers=bob.headers)
        assert theirs.status_code == nobodys.status_code == 400
        assert theirs.text.replace(target, "ID") == nobodys.text.replace(fake, "ID")
    assert (await client.get("/api/v1/memories", headers=bob.headers)).json()["memories"] == []
    leeds = (await client.get(f"/api/v1/memories/{leeds_id}", headers=h)).json()
    assert leeds["status"] == "possibly_outdated" and leeds["possibly_outdated_by"] == york_id
    assert (await client.get(f"/api/v1/memories/{york_id}", headers=h)).json()["status"] == "current"
