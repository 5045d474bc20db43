"""The urls ``search`` and ``fetch`` return are real dashboard pages: they open for their owner, and only for them."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Account
from tests.mcp_server.conftest import Connect, text
from tests.web.helpers import login

pytestmark = pytest.mark.anyio
BASE = "http://testserver"


async def test_search_and_fetch_urls_open_the_owners_dashboard_pages(
    connect: Connect, runtime, client: httpx.AsyncClient, alice: Account, bob: Account,
) -> None:
    [added] = await runtime.memory.add(alice.user_id, "My favourite hiking trail is the Rota Vicentina")
    doc = await runtime.memory.store_document(alice.user_id, "Hiking plan", "Day 1: Porto Covo to Vila Nova, hiking.")
    linked = await runtime.memory.store_document(alice.user_id, "Hiking article", "Hiking the Fisherman's Trail.",
                                                 source_url="https://example.com/hike")
    memory_url = f"{BASE}/dashboard/memories/{added.memory.id}"
    doc_url = f"{BASE}/dashboard/documents/{doc.id}"
    async with connect(alice) as s:
        found = json.loads(text(await s.call_tool("search", {"query": "hiking"})))
        urls = {hit["id"]: hit["url"] for hit in found["results"]}
        assert urls == {f"memory:{added.memory.id}": memory_url, f"document:{doc.id}": doc_url,
                        f"document:{linked.id}": "https://example.com/hike"}
        for hit_id, url in urls.items():
            fetched = json.loads(text(await s.call_tool("fetch", {"id": hit_id})))
            assert fetched["url"] == url
        bare = json.loads(text(await s.call_tool("fetch", {"id": added.memory.id})))  # an id without its kind
        assert bare["url"] == memory_url
    assert all("#" not in url for url in urls.values())

    signed_out = await client.get(memory_url)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login?next=")
    assert (await login(client, bob.email, bob.password)).status_code == 303
    assert (await client.get(memory_url)).status_code == 404
    assert (await client.get(doc_url)).status_code == 404
    client.cookies.clear()  # a fresh browser
    assert (await login(client, alice.email, alice.password)).status_code == 303
    page = await client.get(memory_url)
    assert page.status_code == 200 and "Rota Vicentina</textarea>" in page.text
    page = await client.get(doc_url)
    assert page.status_code == 200 and "Day 1: Porto Covo" in page.text
