"""The REST API in-process: CRUD, search, documents, bad input, isolation."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account

pytestmark = pytest.mark.anyio


async def test_add_search_get_update_delete(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": ["My sister Anna lives in Berlin", "I love hiking"],
                                                    "tags": ["Family"]}, headers=alice.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == [True, True]
    anna = body["memories"][0]
    assert anna["tags"] == ["family"]
    r = await client.get("/api/v1/search", params={"q": "where does my sister live"}, headers=alice.headers)
    assert r.json()[0]["memory"]["id"] == anna["id"]
    r = await client.patch(f"/api/v1/memories/{anna['id']}", json={"text": "My sister Anna lives in Munich"},
                           headers=alice.headers)
    assert r.status_code == 200 and r.json()["text"].endswith("Munich")
    r = await client.get(f"/api/v1/memories/{anna['id']}", headers=alice.headers)
    assert r.json()["text"] == "My sister Anna lives in Munich"
    assert (await client.delete(f"/api/v1/memories/{anna['id']}", headers=alice.headers)).status_code == 204
    assert (await client.get(f"/api/v1/memories/{anna['id']}", headers=alice.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/memories/{anna['id']}", headers=alice.headers)).status_code == 404


async def test_duplicates_are_not_stored_twice(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "I love hiking in the Alps"}, headers=alice.headers)
    first = r.json()["memories"][0]["id"]
    for variant in ["i love hiking in the alps!", "I  love hiking, in the Alps."]:
        r = await client.post("/api/v1/memories", json={"text": variant}, headers=alice.headers)
        assert r.json()["created"] == [False]
        assert r.json()["memories"][0]["id"] == first
    r = await client.post("/api/v1/memories", json={"text": "I don't love hiking in the Alps"}, headers=alice.headers)
    assert r.json()["created"] == [True]
    page = (await client.get("/api/v1/memories", headers=alice.headers)).json()
    assert len(page["memories"]) == 2


async def test_pagination_is_newest_first_and_complete(client: httpx.AsyncClient, alice: Account) -> None:
    texts = [f"fact number {i} about the garden" for i in range(25)]
    await client.post("/api/v1/memories", json={"text": texts}, headers=alice.headers)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/v1/memories", params=params, headers=alice.headers)).json()
        seen += [m["text"] for m in page["memories"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(texts))
    r = await client.get("/api/v1/memories", params={"cursor": "garbage!!"}, headers=alice.headers)
    assert r.status_code == 400


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": ""}, 400),
        ({"text": "   "}, 400),
        ({"text": []}, 400),
        ({"text": 42}, 422),
        ({"text": ["ok", 3]}, 422),
        ({"text": "x" * (64 * 1024 + 1)}, 413),
        ({"text": "fine", "tags": ["x" * 100]}, 400),
        ({"text": "fine", "unknown": 1}, 422),
        ({"text": "fine", "metadata": "not an object"}, 422),
    ],
)
async def test_bad_memory_input_writes_nothing(
    client: httpx.AsyncClient, alice: Account, payload: dict[str, object], status: int
) -> None:
    r = await client.post("/api/v1/memories", json=payload, headers=alice.headers)
    assert r.status_code == status, r.text
    assert r.json()["message"]
    page = (await client.get("/api/v1/memories", headers=alice.headers)).json()
    assert page["memories"] == []


async def test_non_utf8_and_malformed_bodies(client: httpx.AsyncClient, alice: Account) -> None:
    headers = alice.headers | {"content-type": "application/json"}
    for raw in [b'{"text": "\xff\xfe"}', b"{not json", b"\x00\x01"]:
        r = await client.post("/api/v1/memories", content=raw, headers=headers)
        assert 400 <= r.status_code < 500, r.text
        assert "error" in r.json()
    assert (await client.get("/api/v1/memories", headers=alice.headers)).json()["memories"] == []


async def test_oversized_body_is_refused_before_parsing(client: httpx.AsyncClient, alice: Account) -> None:
    big = b'{"title": "t", "content": "' + b"a" * (7 * 1024 * 1024) + b'"}'
    headers = alice.headers | {"content-type": "application/json"}
    r = await client.post("/api/v1/documents", content=big, headers=headers)
    assert r.status_code == 413


async def test_document_over_limit_is_refused(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/documents", json={"title": "t", "content": "a " * (3 * 1024 * 1024)},
                          headers=alice.headers)
    assert r.status_code == 413
    assert (await client.get("/api/v1/documents", headers=alice.headers)).json() == []


async def test_documents_are_chunked_and_searchable(client: httpx.AsyncClient, alice: Account) -> None:
    content = "\n\n".join(
        [f"Paragraph {i}. The quarterly plan covers budgets and hiring for team {i}." for i in range(40)]
        + ["The secret ingredient of grandma's soup is smoked paprika."]
    )
    r = await client.post("/api/v1/documents", json={"title": "Notes", "content": content}, headers=alice.headers)
    assert r.status_code == 201
    doc_id = r.json()["id"]
    hits = (await client.get("/api/v1/search", params={"q": "soup ingredient", "include_documents": "true"},
                             headers=alice.headers)).json()
    assert hits[0]["memory"]["document_id"] == doc_id
    assert "paprika" in hits[0]["memory"]["text"]
    plain = (await client.get("/api/v1/search", params={"q": "soup ingredient"}, headers=alice.headers)).json()
    assert all(h["memory"]["document_id"] is None for h in plain)
    full = (await client.get(f"/api/v1/documents/{doc_id}", headers=alice.headers)).json()
    assert full["content"] == content


async def test_auth_is_required_and_keys_are_checked(client: httpx.AsyncClient, alice: Account) -> None:
    assert (await client.get("/api/v1/memories")).status_code == 401
    r = await client.get("/api/v1/memories", headers={"Authorization": "Bearer jm_nope"})
    assert r.status_code == 401
    r = await client.get("/api/v1/memories", params={"access_token": alice.api_key})
    assert r.status_code == 401


async def test_another_users_ids_look_unknown(client: httpx.AsyncClient, alice: Account, bob: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "Alice's private note"}, headers=alice.headers)
    mid = r.json()["memories"][0]["id"]
    assert (await client.get(f"/api/v1/memories/{mid}", headers=bob.headers)).status_code == 404
    r = await client.patch(f"/api/v1/memories/{mid}", json={"text": "hacked"}, headers=bob.headers)
    assert r.status_code == 404
    assert (await client.delete(f"/api/v1/memories/{mid}", headers=bob.headers)).status_code == 404
    r = await client.post("/api/v1/memories/delete", json={"ids": [mid]}, headers=bob.headers)
    assert r.json() == {"deleted": 0}
    assert (await client.get("/api/v1/search", params={"q": "private note"}, headers=bob.headers)).json() == []
    assert (await client.get(f"/api/v1/memories/{mid}", headers=alice.headers)).json()["text"] == "Alice's private note"


async def test_status(client: httpx.AsyncClient) -> None:
    for path in ("/status", "/fastmcp/status"):
        body = (await client.get(path)).json()
        assert body["status"] == "ready" and body["storage"] == "sqlite" and body["database"] == "ok"
    assert (await client.get("/livez")).json() == {"status": "alive"}


async def test_editing_a_memory_into_a_duplicate_is_a_conflict(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": ["I live by a river", "I like apples"]},
                          headers=alice.headers)
    river, apples = (m["id"] for m in r.json()["memories"])
    r = await client.patch(f"/api/v1/memories/{river}", json={"text": "I like apples!"}, headers=alice.headers)
    assert r.status_code == 409 and apples in r.json()["message"]
    assert (await client.get(f"/api/v1/memories/{river}", headers=alice.headers)).json()["text"] == "I live by a river"
    r = await client.patch(f"/api/v1/memories/{apples}", json={"text": "I like APPLES"}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["text"] == "I like APPLES"


async def test_an_id_with_a_lone_surrogate_is_a_client_error(client: httpx.AsyncClient, alice: Account) -> None:
    """Found by tests/api/test_fuzz_rest.py: the id reached SQLite, which cannot encode it (a 500)."""
    await client.post("/api/v1/memories", json={"text": "I keep bees"}, headers=alice.headers)
    r = await client.post("/api/v1/memories/delete", content=b'{"ids": ["\\ud800"]}',
                          headers=alice.headers | {"content-type": "application/json"})
    assert r.status_code == 400 and "ids are strings like" in r.json()["message"]
    assert len((await client.get("/api/v1/memories", headers=alice.headers)).json()["memories"]) == 1
