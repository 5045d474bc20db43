"""Spaces over REST (issue 21): what a key was given is all it sees, roles hold, changes act on the next request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from jean_memory.accounts.api_keys import KeyCache, Principal, create_api_key
from jean_memory.api.access import require
from jean_memory.errors import Forbidden
from jean_memory.runtime import Runtime
from jean_memory.store.space_records import Reachable
from tests.conftest import Account

pytestmark = pytest.mark.anyio


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def key(runtime: Runtime, account: Account, spaces: tuple[str, ...] | None, write: str | None = None
              ) -> tuple[str, dict[str, str]]:
    record, secret = await create_api_key(runtime.stores, account.user_id, "scoped", spaces, write)
    return record.id, auth(secret)


async def new_space(client: httpx.AsyncClient, account: Account, name: str) -> dict[str, Any]:
    r = await client.post("/api/v1/spaces", json={"name": name}, headers=account.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def add(client: httpx.AsyncClient, headers: dict[str, str], text: str, space: str | None = None
              ) -> httpx.Response:
    return await client.post("/api/v1/memories", json={"text": text} | ({"space": space} if space else {}),
                             headers=headers)


async def texts(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    r = await client.get("/api/v1/memories", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return sorted(m["text"] for m in r.json()["memories"])


async def test_spaces_are_listed_created_renamed_and_deleted(client: httpx.AsyncClient, alice: Account) -> None:
    [personal] = (await client.get("/api/v1/spaces", headers=alice.headers)).json()
    assert personal == {"id": alice.user_id, "name": "personal", "owner": "alice@example.com", "role": "owner",
                        "can_write": True, "personal": True, "default": True}
    work = await new_space(client, alice, "work")
    assert work["name"] == "work" and work["owner"] == "alice@example.com" and work["can_write"]
    assert not work["default"] and not work["personal"]
    r = await client.post("/api/v1/spaces", json={"name": " WORK "}, headers=alice.headers)
    assert r.status_code == 409, r.text
    r = await client.patch(f"/api/v1/spaces/{work['id']}", json={"name": "projects"}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["name"] == "projects"
    names = [s["name"] for s in (await client.get("/api/v1/spaces", headers=alice.headers)).json()]
    assert names == ["personal", "projects"]
    # The new memory goes where it is told, and says so.
    r = await add(client, alice.headers, "The Q3 roadmap is due Friday", "projects")
    moved = r.json()["memories"][0]
    assert r.status_code == 201 and (moved["space"], moved["space_name"]) == (work["id"], "projects")
    assert await texts(client, alice.headers, space="personal") == []
    # Deleting with move_to moves its memories; without it, they are deleted with the space.
    r = await client.delete(f"/api/v1/spaces/{work['id']}", params={"move_to": "personal"}, headers=alice.headers)
    assert r.status_code == 204, r.text
    got = (await client.get(f"/api/v1/memories/{moved['id']}", headers=alice.headers)).json()
    assert (got["space"], got["space_name"]) == (alice.user_id, "personal")
    scratch = await new_space(client, alice, "scratch")
    gone = (await add(client, alice.headers, "a throwaway note", "scratch")).json()["memories"][0]["id"]
    r = await client.request("DELETE", f"/api/v1/spaces/{scratch['id']}", headers=alice.headers)
    assert r.status_code == 204
    assert (await client.get(f"/api/v1/memories/{gone}", headers=alice.headers)).status_code == 404
    r = await client.delete(f"/api/v1/spaces/{alice.user_id}", headers=alice.headers)
    assert r.status_code == 400 and "personal" in r.json()["message"]
    assert await texts(client, alice.headers) == ["The Q3 roadmap is due Friday"]


async def test_delete_takes_move_to_in_the_body(client: httpx.AsyncClient, alice: Account) -> None:
    work = await new_space(client, alice, "work")
    kept = (await add(client, alice.headers, "Standup is at 9:30", "work")).json()["memories"][0]["id"]
    r = await client.request("DELETE", f"/api/v1/spaces/{work['id']}", json={"move_to": alice.user_id},
                             headers=alice.headers)
    assert r.status_code == 204, r.text
    assert (await client.get(f"/api/v1/memories/{kept}", headers=alice.headers)).json()["space_name"] == "personal"


async def test_a_key_given_only_work_never_sees_personal(client: httpx.AsyncClient, runtime: Runtime,
                                                         alice: Account) -> None:
    secret = (await add(client, alice.headers, "My blood pressure medication is lisinopril")).json()
    health = secret["memories"][0]["id"]
    doc = (await client.post("/api/v1/documents", json={"title": "Lab results", "content": "Cholesterol 190."},
                             headers=alice.headers)).json()
    work = await new_space(client, alice, "work")
    _, only_work = await key(runtime, alice, (work["id"],), work["id"])
    r = await add(client, only_work, "The deploy runbook lives in the wiki")
    assert r.status_code == 201 and r.json()["memories"][0]["space_name"] == "work"
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=only_work)).json()] == ["work"]
    assert await texts(client, only_work) == ["The deploy runbook lives in the wiki"]
    for params in ({"q": "blood pressure medication"}, {"q": "cholesterol lab results", "include_documents": "true"}):
        hits = (await client.get("/api/v1/search", params=params, headers=only_work)).json()
        assert all(h["memory"]["space"] == work["id"] for h in hits), hits
    r = await client.post("/api/v1/search", json={"query": "medication", "include_documents": True},
                          headers=only_work)
    assert all(h["memory"]["space"] == work["id"] for h in r.json())
    assert (await client.get(f"/api/v1/memories/{health}", headers=only_work)).status_code == 404
    assert (await client.get(f"/api/v1/memories/{health}/history", headers=only_work)).status_code == 404
    assert (await client.patch(f"/api/v1/memories/{health}", json={"text": "x"}, headers=only_work)).status_code == 404
    assert (await client.delete(f"/api/v1/memories/{health}", headers=only_work)).status_code == 404
    r = await client.post("/api/v1/memories/delete", json={"ids": [health]}, headers=only_work)
    assert r.json() == {"deleted": 0}
    assert (await client.get("/api/v1/documents", headers=only_work)).json() == []
    assert (await client.get(f"/api/v1/documents/{doc['id']}", headers=only_work)).status_code == 404
    assert (await client.delete(f"/api/v1/documents/{doc['id']}", headers=only_work)).status_code == 404
    for name in ("personal", alice.user_id):
        r = await client.get("/api/v1/memories", params={"space": name}, headers=only_work)
        assert r.status_code == 403 and f"'{name}'" in r.json()["message"], r.text
        r = await add(client, only_work, "slipped in", name)
        assert r.status_code == 403 and f"'{name}'" in r.json()["message"]
    r = await client.get(f"/api/v1/spaces/{alice.user_id}/members", headers=only_work)
    assert r.status_code == 404
    # Untouched, and the account's own key still sees everything.
    assert (await client.get(f"/api/v1/memories/{health}", headers=alice.headers)).json()["text"].endswith("lisinopril")
    assert len(await texts(client, alice.headers)) == 2
    assert len((await client.get("/api/v1/documents", headers=alice.headers)).json()) == 1


async def test_narrowing_a_key_acts_on_the_next_request(client: httpx.AsyncClient, runtime: Runtime,
                                                        alice: Account) -> None:
    work = await new_space(client, alice, "work")
    key_id, wide = await key(runtime, alice, None)
    private = (await add(client, wide, "I am planning to change jobs")).json()["memories"][0]["id"]
    await add(client, wide, "The office moves in March", "work")
    assert len(await texts(client, wide)) == 2
    await runtime.stores.spaces.set_key_reach(alice.user_id, key_id, Reachable((work["id"],), work["id"]))
    assert await texts(client, wide) == ["The office moves in March"]
    assert (await client.get(f"/api/v1/memories/{private}", headers=wide)).status_code == 404
    r = await add(client, wide, "next one")
    assert r.status_code == 201 and r.json()["memories"][0]["space"] == work["id"]


async def test_a_key_revoked_elsewhere_reaches_nothing_while_it_is_still_cached(
        client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    """Revoked by the CLI or another replica, a key still authenticates here for ``KEY_CACHE_SECONDS``; its reach
    must not fall back to every space of the account (as a key made before spaces has) meanwhile."""
    runtime.extras["api_key_cache"] = KeyCache(clock=lambda: 0.0)  # the cache never expires in this test
    work = await new_space(client, alice, "work")
    await add(client, alice.headers, "I am planning to change jobs")
    key_id, only_work = await key(runtime, alice, (work["id"],), work["id"])
    await add(client, only_work, "The office moves in March")
    assert await texts(client, only_work) == ["The office moves in March"]  # authenticated once: cached
    assert await runtime.stores.api_keys.revoke_key(alice.user_id, key_id)  # as `jean-memory keys revoke` does
    assert await texts(client, only_work) == []
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=only_work)).json()] == []
    assert (await add(client, only_work, "written after revocation")).status_code == 403
    assert len(await texts(client, alice.headers)) == 2


async def test_creating_a_space_through_a_narrowed_key_gives_the_key_that_space(
        client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    work = await new_space(client, alice, "work")
    _, only_work = await key(runtime, alice, (work["id"],), work["id"])
    r = await client.post("/api/v1/spaces", json={"name": "client-x"}, headers=only_work)
    assert r.status_code == 201, r.text
    listed = [s["name"] for s in (await client.get("/api/v1/spaces", headers=only_work)).json()]
    assert sorted(listed) == ["client-x", "work"]
    assert (await add(client, only_work, "Client X pays net 30", "client-x")).status_code == 201


async def test_a_reader_reads_and_is_refused_writes_naming_the_space(client: httpx.AsyncClient, runtime: Runtime,
                                                                     alice: Account, bob: Account) -> None:
    home = await new_space(client, alice, "household")
    mid = (await add(client, alice.headers, "The boiler is serviced every October", "household")).json()
    mid = mid["memories"][0]["id"]
    r = await client.post(f"/api/v1/spaces/{home['id']}/members", json={"email": "Bob@Example.com", "role": "reader"},
                          headers=alice.headers)
    assert r.status_code == 201 and r.json()["status"] == "invited", r.text
    [invitation] = (await client.get("/api/v1/invitations", headers=bob.headers)).json()
    assert (invitation["space_name"], invitation["role"], invitation["invited_by"]) == \
        ("household", "reader", "alice@example.com")
    assert (await client.get("/api/v1/invitations", headers=alice.headers)).json() == []
    r = await client.post(f"/api/v1/invitations/{invitation['id']}/accept", headers=bob.headers)
    assert r.status_code == 200 and r.json()["role"] == "reader" and not r.json()["can_write"], r.text
    # Bob's key made before reaches only his own spaces; a key he gives the household reads it.
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=bob.headers)).json()] == ["personal"]
    _, bobs = await key(runtime, bob, (bob.user_id, home["id"]))
    spaces = {s["name"]: s for s in (await client.get("/api/v1/spaces", headers=bobs)).json()}
    assert spaces["household"]["owner"] == "alice@example.com" and spaces["household"]["role"] == "reader"
    assert await texts(client, bobs, space=home["id"]) == ["The boiler is serviced every October"]
    got = (await client.get(f"/api/v1/memories/{mid}", headers=bobs)).json()
    assert (got["space"], got["space_name"]) == (home["id"], "household")
    for r in (await add(client, bobs, "Bob was here", home["id"]),
              await client.patch(f"/api/v1/memories/{mid}", json={"text": "changed"}, headers=bobs),
              await client.delete(f"/api/v1/memories/{mid}", headers=bobs),
              await client.post("/api/v1/memories/delete", json={"ids": [mid]}, headers=bobs)):
        assert r.status_code == 403 and "'household'" in r.json()["message"] and "read" in r.json()["message"], \
            r.text
    assert (await client.get(f"/api/v1/memories/{mid}", headers=alice.headers)).json()["text"].startswith("The boiler")
    assert await texts(client, alice.headers, space="household") == ["The boiler is serviced every October"]
    r = await client.patch(f"/api/v1/spaces/{home['id']}", json={"name": "mine"}, headers=bobs)
    assert r.status_code == 403 and "owner" in r.json()["message"]
    # The members list; the owner makes Bob a writer, and his next add lands.
    sharing = (await client.get(f"/api/v1/spaces/{home['id']}/members", headers=alice.headers)).json()
    assert [(m["email"], m["role"]) for m in sharing["members"]] == [("bob@example.com", "reader")]
    assert sharing["invitations"] == []
    r = await client.post(f"/api/v1/spaces/{home['id']}/members", json={"email": "bob@example.com", "role": "writer"},
                          headers=alice.headers)
    assert r.status_code == 200 and r.json()["status"] == "member" and r.json()["role"] == "writer"
    r = await add(client, bobs, "The spare key is with the neighbours", "household")
    assert r.status_code == 403 and "'household'" in r.json()["message"]  # a name names one's own spaces only
    r = await add(client, bobs, "The spare key is with the neighbours", home["id"])
    assert r.status_code == 201 and r.json()["memories"][0]["space"] == home["id"], r.text
    assert len(await texts(client, alice.headers, space="household")) == 2
    # Removed: his next request no longer reaches the household.
    r = await client.delete(f"/api/v1/spaces/{home['id']}/members/bob@example.com", headers=alice.headers)
    assert r.status_code == 204, r.text
    assert (await client.get(f"/api/v1/memories/{mid}", headers=bobs)).status_code == 404
    r = await client.get("/api/v1/memories", params={"space": home["id"]}, headers=bobs)
    assert r.status_code == 403
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=bobs)).json()] == ["personal"]
    assert all("neighbours" not in h["memory"]["text"] for h in (await client.get(
        "/api/v1/search", params={"q": "spare key neighbours"}, headers=bobs)).json())


async def test_invitations_declined_cancelled_and_a_member_leaving(client: httpx.AsyncClient, runtime: Runtime,
                                                                   alice: Account, bob: Account) -> None:
    home = await new_space(client, alice, "household")
    url = f"/api/v1/spaces/{home['id']}/members"
    await client.post(url, json={"email": "bob@example.com", "role": "writer"}, headers=alice.headers)
    pending = (await client.get(url, headers=alice.headers)).json()["invitations"]
    assert [(i["email"], i["role"]) for i in pending] == [("bob@example.com", "writer")]
    [invitation] = (await client.get("/api/v1/invitations", headers=bob.headers)).json()
    r = await client.post(f"/api/v1/invitations/{invitation['id']}/decline", headers=bob.headers)
    assert r.status_code == 204
    assert (await client.get("/api/v1/invitations", headers=bob.headers)).json() == []
    sharing = (await client.get(url, headers=alice.headers)).json()
    assert sharing["members"] == [] and sharing["invitations"] == []
    r = await client.post(f"/api/v1/invitations/{invitation['id']}/accept", headers=bob.headers)
    assert r.status_code == 404
    # The owner cancels a pending invitation.
    await client.post(url, json={"email": "carol@example.com", "role": "reader"}, headers=alice.headers)
    assert (await client.delete(f"{url}/carol@example.com", headers=alice.headers)).status_code == 204
    assert (await client.get(url, headers=alice.headers)).json()["invitations"] == []
    # Someone else's invitation cannot be accepted.
    await client.post(url, json={"email": "dora@example.com", "role": "reader"}, headers=alice.headers)
    [dora] = (await client.get(url, headers=alice.headers)).json()["invitations"]
    assert (await client.post(f"/api/v1/invitations/{dora['id']}/accept", headers=bob.headers)).status_code == 404
    # A member leaves.
    await client.post(url, json={"email": "bob@example.com", "role": "writer"}, headers=alice.headers)
    [again] = (await client.get("/api/v1/invitations", headers=bob.headers)).json()
    assert (await client.post(f"/api/v1/invitations/{again['id']}/accept", headers=bob.headers)).status_code == 200
    _, bobs = await key(runtime, bob, (bob.user_id, home["id"]))
    sharing = (await client.get(url, headers=bobs)).json()
    assert [m["email"] for m in sharing["members"]] == ["bob@example.com"] and sharing["invitations"] == []
    r = await client.delete(f"{url}/alice@example.com", headers=bobs)
    assert r.status_code == 403
    assert (await client.delete(f"{url}/bob@example.com", headers=bobs)).status_code == 204
    assert (await client.get(url, headers=alice.headers)).json()["members"] == []
    assert (await client.get(url, headers=bobs)).status_code == 404


@pytest.mark.parametrize(("method", "path", "body", "status", "message"), [
    ("POST", "/api/v1/spaces", {"name": "x" * 61}, 400, "at most 60"),
    ("POST", "/api/v1/spaces", {"name": "   "}, 400, "non-empty"),
    ("POST", "/api/v1/spaces", {"name": 5}, 422, "name"),
    ("POST", "/api/v1/spaces", {}, 422, "name"),
    ("POST", "/api/v1/spaces/{work}/members", {"email": "not an address", "role": "reader"}, 400, "e-mail"),
    ("POST", "/api/v1/spaces/{work}/members", {"email": "carol@example.com", "role": "admin"}, 400, "reader"),
    ("POST", "/api/v1/spaces/{work}/members", {"email": "alice@example.com", "role": "reader"}, 400, "own"),
    ("POST", "/api/v1/spaces/nowhere/members", {"email": "carol@example.com", "role": "reader"}, 404, "nowhere"),
    ("PATCH", "/api/v1/spaces/{work}", {"name": "y" * 61}, 400, "at most 60"),
    ("PATCH", "/api/v1/spaces/nowhere", {"name": "fine"}, 404, "nowhere"),
    ("DELETE", "/api/v1/spaces/{work}?move_to=nowhere", None, 403, "'nowhere'"),
    ("DELETE", "/api/v1/spaces/{work}?move_to={work}", None, 400, "another space"),
    ("DELETE", "/api/v1/spaces/{work}?move_to=", None, 400, "move_to is empty"),  # never "delete them"
    ("DELETE", "/api/v1/spaces/{work}", {"move_to": ""}, 400, "move_to is empty"),
    ("POST", "/api/v1/memories", {"text": "lost?", "space": "nowhere"}, 403, "'nowhere'"),
    ("POST", "/api/v1/memories", {"text": "lost?", "space": "s" * 300}, 400, "space"),
    ("POST", "/api/v1/documents", {"title": "t", "content": "c", "space": "nowhere"}, 403, "'nowhere'"),
    ("POST", "/api/v1/search", {"query": "q", "space": "nowhere"}, 403, "'nowhere'"),
    ("POST", "/api/v1/invitations/nope/accept", None, 404, "nope"),
    ("POST", "/api/v1/invitations/nope/decline", None, 404, "nope"),
])
async def test_bad_input_is_a_clear_4xx_and_writes_nothing(
        client: httpx.AsyncClient, runtime: Runtime, alice: Account, method: str, path: str,
        body: dict[str, Any] | None, status: int, message: str) -> None:
    work = await new_space(client, alice, "work")
    await add(client, alice.headers, "Kept in work", "work")
    before = (await client.get("/api/v1/spaces", headers=alice.headers)).json()
    r = await client.request(method, path.replace("{work}", work["id"]), json=body, headers=alice.headers)
    assert r.status_code == status, r.text
    assert message in r.json()["message"] and "Traceback" not in r.text
    assert (await client.get("/api/v1/spaces", headers=alice.headers)).json() == before
    assert await texts(client, alice.headers) == ["Kept in work"]
    sharing = (await client.get(f"/api/v1/spaces/{work['id']}/members", headers=alice.headers)).json()
    assert sharing["members"] == [] and sharing["invitations"] == []
    assert (await client.get("/api/v1/documents", headers=alice.headers)).json() == []


async def test_another_accounts_space_is_unknown(client: httpx.AsyncClient, alice: Account, bob: Account) -> None:
    work = await new_space(client, alice, "work")
    for method, path in (("GET", f"/api/v1/spaces/{work['id']}/members"), ("PATCH", f"/api/v1/spaces/{work['id']}"),
                         ("DELETE", f"/api/v1/spaces/{work['id']}")):
        r = await client.request(method, path, json={"name": "taken"} if method == "PATCH" else None,
                                 headers=bob.headers)
        assert r.status_code == 404, (method, r.text)
    r = await client.post(f"/api/v1/spaces/{work['id']}/members", json={"email": "bob@example.com", "role": "writer"},
                          headers=bob.headers)
    assert r.status_code == 404
    assert [s["name"] for s in (await client.get("/api/v1/spaces", headers=alice.headers)).json()] == \
        ["personal", "work"]


async def test_the_contract_operations_are_documented(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    wanted = {("get", "/api/v1/spaces"): "listSpaces", ("post", "/api/v1/spaces"): "createSpace",
              ("patch", "/api/v1/spaces/{space_id}"): "renameSpace",
              ("delete", "/api/v1/spaces/{space_id}"): "deleteSpace",
              ("get", "/api/v1/spaces/{space_id}/members"): "listSpaceMembers",
              ("post", "/api/v1/spaces/{space_id}/members"): "shareSpace",
              ("delete", "/api/v1/spaces/{space_id}/members/{email}"): "removeSpaceMember",
              ("get", "/api/v1/invitations"): "listInvitations",
              ("post", "/api/v1/invitations/{invitation_id}/accept"): "acceptInvitation",
              ("post", "/api/v1/invitations/{invitation_id}/decline"): "declineInvitation"}
    for (method, path), operation in wanted.items():
        assert paths[path][method]["operationId"] == operation
    assert "deleted" in paths["/api/v1/spaces/{space_id}"]["delete"]["description"]
    for path in ("/api/v1/memories", "/api/v1/search", "/api/v1/documents"):
        assert any(p["name"] == "space" for p in paths[path]["get"]["parameters"]), path
    item = (await client.get("/api/openapi.json")).json()["components"]["schemas"]["MemoryOut"]
    assert {"space", "space_name"} <= set(item["required"])


def test_reads_need_memory_read_and_changes_memory_write() -> None:
    reader = Principal("u1", ("memory:read",), "client", "oauth")
    require(reader, "memory:read")
    with pytest.raises(Forbidden, match="memory:write"):
        require(reader, "memory:write")
