"""REST input hardening (issue 12): JSON metadata rules, rows stored before them, bounded paging, names."""

from __future__ import annotations

import json

import httpx
import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.legacy_rows import LEGACY_TEXT, nested, store_legacy_rows

pytestmark = pytest.mark.anyio
MAX_DEPTH = 32  # jean_memory.json_values.MAX_DEPTH, written out so that this file also runs on main before it


async def send(client: httpx.AsyncClient, method: str, url: str, body: str, account: Account) -> httpx.Response:
    """``body`` sent as it is written: JSON escapes such as a lone ``\\udfff`` reach the server unchanged."""
    headers = account.headers | {"content-type": "application/json"}
    return await client.request(method, url, content=body.encode("ascii"), headers=headers)


DEEP = json.dumps(nested(900))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"text": "a fact", "metadata": {"k": "\\udfff"}}', "metadata.k is not valid Unicode text"),
        ('{"text": "a fact", "metadata": {"\\udfff": 1}}', "a key of metadata is not valid Unicode text"),
        ('{"text": "a fact", "metadata": {"k": "a\\u0000b"}}', "metadata.k contains a NUL character"),
        ('{"text": "a fact", "metadata": ' + DEEP + "}", f"metadata is nested more than {MAX_DEPTH} levels deep"),
        ('{"text": "a fact", "tags": ["ok", "\\ud800"]}', "a tag is not valid Unicode text"),
        ('{"text": "a fact \\udfff"}', "memory text is not valid Unicode text"),
    ],
)
async def test_bad_json_values_are_refused_and_write_nothing(client: httpx.AsyncClient, alice: Account,
                                                              runtime: Runtime, body: str, message: str) -> None:
    r = await send(client, "POST", "/api/v1/memories", body, alice)
    assert r.status_code == 400, r.text
    assert r.json()["message"].startswith(message)
    assert await runtime.memory.count(alice.user_id) == 0


async def test_bad_json_values_are_refused_by_patch_and_documents(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "a fact", "metadata": {"k": "v"}}, headers=alice.headers)
    mid = r.json()["memories"][0]["id"]
    r = await send(client, "PATCH", f"/api/v1/memories/{mid}", '{"metadata": {"k": "\\udfff"}}', alice)
    assert r.status_code == 400 and "not valid Unicode" in r.json()["message"]
    r = await send(client, "PATCH", f"/api/v1/memories/{mid}", '{"metadata": ' + DEEP + "}", alice)
    assert r.status_code == 400 and "nested more than" in r.json()["message"]
    assert (await client.get(f"/api/v1/memories/{mid}", headers=alice.headers)).json()["metadata"] == {"k": "v"}
    r = await send(client, "POST", "/api/v1/documents", '{"title": "t\\udfff", "content": "c"}', alice)
    assert r.status_code == 400 and r.json()["message"].startswith("title is not valid Unicode")
    r = await send(client, "POST", "/api/v1/documents", '{"title": "t", "content": "c", "metadata": ' + DEEP + "}",
                   alice)
    assert r.status_code == 400 and "nested more than" in r.json()["message"]
    assert (await client.get("/api/v1/documents", headers=alice.headers)).json() == []


async def test_metadata_size_counts_utf8_bytes(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "a fact", "metadata": {"k": "é" * 4100}},
                          headers=alice.headers)
    assert r.status_code == 413 and "the limit is 8192 bytes" in r.json()["message"]


async def test_rows_stored_before_the_rules_still_list_search_and_get(client: httpx.AsyncClient, alice: Account,
                                                                      runtime: Runtime) -> None:
    mid = await store_legacy_rows(runtime, alice.user_id)
    listed = await client.get("/api/v1/memories", headers=alice.headers)
    assert listed.status_code == 200, listed.text
    found = await client.get("/api/v1/search", params={"q": "where is the shed key"}, headers=alice.headers)
    assert found.status_code == 200 and found.json()[0]["memory"]["id"] == mid
    got = await client.get(f"/api/v1/memories/{mid}", headers=alice.headers)
    assert got.status_code == 200
    memory = got.json()
    assert memory["text"] == LEGACY_TEXT
    assert memory["metadata"]["k"] == "\ufffd" and memory["metadata"]["\ufffdkey"] == 1
    assert memory["tags"] == ["garden", "odd\ufffd"]
    level = memory["metadata"]["deep"]
    for _ in range(MAX_DEPTH - 2):
        level = level["a"]
    assert isinstance(level["a"], str)  # deeper than 32 levels: shown as its JSON text
    docs = await client.get("/api/v1/documents", headers=alice.headers)
    assert docs.status_code == 200 and docs.json()[0]["metadata"]["k"] == "\ufffd"
    # Saving it back as read is accepted: what a read shows is always valid input.
    r = await client.patch(f"/api/v1/memories/{mid}", json={"metadata": memory["metadata"]}, headers=alice.headers)
    assert r.status_code == 200, r.text


async def test_huge_offsets_and_cursors_are_answered_not_500(client: httpx.AsyncClient, alice: Account) -> None:
    await client.post("/api/v1/documents", json={"title": "t", "content": "c"}, headers=alice.headers)
    r = await client.get("/api/v1/documents", params={"offset": 10**20}, headers=alice.headers)
    assert r.status_code == 200 and r.json() == []  # past the end
    r = await client.get("/api/v1/documents", params={"offset": "1e20"}, headers=alice.headers)
    assert r.status_code == 422 and "offset" in r.json()["message"]
    r = await client.get("/api/v1/documents", params={"offset": -5, "limit": 10**20}, headers=alice.headers)
    assert r.status_code == 200 and len(r.json()) == 1
    from jean_memory.memory.service import encode_cursor

    for cursor in [encode_cursor(10**28), encode_cursor(2**63), encode_cursor(-1)]:
        r = await client.get("/api/v1/memories", params={"cursor": cursor}, headers=alice.headers)
        assert r.status_code == 400 and r.json()["message"] == "cursor is not one this server gave out", cursor
    r = await client.get("/api/v1/memories", params={"cursor": encode_cursor(2**63 - 1)}, headers=alice.headers)
    assert r.status_code == 200


async def test_get_search_and_list_take_tags_as_well_as_tag(client: httpx.AsyncClient, alice: Account) -> None:
    for text, tags in [("Anna likes oranges", ["fruit", "orange"]), ("Anna likes lemons", ["fruit"]),
                       ("Anna likes roses", ["flowers"])]:
        await client.post("/api/v1/memories", json={"text": text, "tags": tags}, headers=alice.headers)

    async def texts(path: str, params: list[tuple[str, str]]) -> set[str]:
        r = await client.get(path, params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        return {h["memory"]["text"] for h in body} if path.endswith("search") else {
            m["text"] for m in body["memories"]}

    fruit = {"Anna likes oranges", "Anna likes lemons"}
    for path, q in [("/api/v1/search", [("q", "what does Anna like")]), ("/api/v1/memories", [])]:
        assert await texts(path, [*q, ("tags", "fruit")]) == fruit
        assert await texts(path, [*q, ("tag", "fruit")]) == fruit
        # Repeated and mixed, they combine as the POST body's list does: memories with every tag given.
        assert await texts(path, [*q, ("tag", "fruit"), ("tags", "orange")]) == {"Anna likes oranges"}
        assert await texts(path, [*q, ("tags", "fruit"), ("tags", "orange")]) == {"Anna likes oranges"}
    posted = await client.post("/api/v1/search", json={"query": "what does Anna like", "tags": ["fruit", "orange"]},
                               headers=alice.headers)
    assert {h["memory"]["text"] for h in posted.json()} == {"Anna likes oranges"}


async def test_patch_changes_tags_or_metadata_without_the_text(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "Bought a blue bicycle", "tags": ["old"],
                                                    "metadata": {"a": 1}}, headers=alice.headers)
    before = r.json()["memories"][0]
    url = f"/api/v1/memories/{before['id']}"
    r = await client.patch(url, json={"tags": ["Errands", "bike"]}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["errands", "bike"] and r.json()["text"] == before["text"]
    assert r.json()["metadata"] == {"a": 1}
    r = await client.patch(url, json={"metadata": {"shop": "Velo"}}, headers=alice.headers)
    assert r.json()["metadata"] == {"shop": "Velo"} and r.json()["tags"] == ["errands", "bike"]
    r = await client.patch(url, json={"tags": [], "metadata": {}}, headers=alice.headers)
    assert r.json()["tags"] == [] and r.json()["metadata"] == {}
    r = await client.patch(url, json={}, headers=alice.headers)
    assert r.status_code == 400 and r.json()["message"] == "give the new text, tags or metadata of the memory"
    found = await client.get("/api/v1/search", params={"q": "blue bicycle"}, headers=alice.headers)
    assert found.json()[0]["memory"]["id"] == before["id"]  # the text and its search entries are untouched


async def test_an_add_of_only_duplicates_answers_200(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/api/v1/memories", json={"text": "I love hiking in the Alps"}, headers=alice.headers)
    assert r.status_code == 201 and r.json()["created"] == [True]
    r = await client.post("/api/v1/memories", json={"text": "i love hiking in the alps!"}, headers=alice.headers)
    assert r.status_code == 200 and r.json()["created"] == [False]
    r = await client.post("/api/v1/memories", json={"text": ["I love hiking in the Alps", "I swim on Sundays"]},
                          headers=alice.headers)
    assert r.status_code == 201 and r.json()["created"] == [False, True]


async def test_a_search_limit_must_be_a_number_not_true(client: httpx.AsyncClient, alice: Account) -> None:
    for limit in (True, "5", 2.5):
        r = await client.post("/api/v1/search", json={"query": "tea", "limit": limit}, headers=alice.headers)
        assert r.status_code == 422, limit
        assert "limit" in r.text
    ok = await client.post("/api/v1/search", json={"query": "tea", "limit": 5}, headers=alice.headers)
    assert ok.status_code == 200
