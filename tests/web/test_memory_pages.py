"""One memory's and one document's dashboard pages (the urls the MCP connector tools hand out), and the app filter."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from jean_memory.runtime import Runtime
from jean_memory.store.oauth import OAuthClient
from tests.conftest import Account
from tests.web.helpers import csrf_of

pytestmark = pytest.mark.anyio


async def test_memory_page_shows_edits_and_deletes(signed_in: httpx.AsyncClient, alice: Account,
                                                   runtime: Runtime) -> None:
    [added] = await runtime.memory.add(alice.user_id, "My sister Anna lives in Berlin", ["family"], client_id="claude")
    path = f"/dashboard/memories/{added.memory.id}"
    page = await signed_in.get(path)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "My sister Anna lives in Berlin</textarea>" in page.text and "From claude" in page.text
    assert f'action="{path}"' in page.text and f'action="{path}/delete"' in page.text
    assert (await signed_in.get(path + "/edit")).text == page.text  # the old edit link still works

    r = await signed_in.post(path, data={"text": "My sister Anna lives in Munich", "tags": "family",
                                         "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert "Anna lives in Munich</textarea>" in (await signed_in.get(path)).text

    r = await signed_in.post(path + "/delete", data={"csrf_token": csrf_of(page.text), "confirm": "yes"})
    assert r.status_code == 303 and "notice=deleted" in r.headers["location"]
    assert await runtime.memory.count(alice.user_id) == 0
    assert (await signed_in.get(path)).status_code == 404


async def test_document_chunk_id_leads_to_its_document(signed_in: httpx.AsyncClient, alice: Account,
                                                       runtime: Runtime) -> None:
    doc = await runtime.memory.store_document(alice.user_id, "Hiking plan", "Day 1: Porto Covo to Vila Nova.")
    [hit] = await runtime.memory.search(alice.user_id, "Porto Covo", include_documents=True)
    assert hit.memory.document_id == doc.id
    r = await signed_in.get(f"/dashboard/memories/{hit.memory.id}")
    assert r.status_code == 303 and r.headers["location"] == f"/dashboard/documents/{doc.id}"
    page = await signed_in.get(r.headers["location"])
    assert page.status_code == 200 and "Day 1: Porto Covo to Vila Nova." in page.text


async def test_unknown_and_other_users_ids_get_the_same_404(signed_in: httpx.AsyncClient, bob: Account,
                                                            runtime: Runtime) -> None:
    [bobs] = await runtime.memory.add(bob.user_id, "Bob's secret plan")
    bobs_doc = await runtime.memory.store_document(bob.user_id, "Bob's diary", "Dear diary")
    for kind, theirs, unknown in [("memories", bobs.memory.id, "6f1c0c56-0000-4000-8000-000000000000"),
                                  ("documents", bobs_doc.id, "6f1c0c56-0000-4000-8000-000000000001")]:
        other = await signed_in.get(f"/dashboard/{kind}/{theirs}")
        missing = await signed_in.get(f"/dashboard/{kind}/{unknown}")
        assert other.status_code == missing.status_code == 404
        assert "secret" not in other.text and "diary" not in other.text.lower()
        assert other.text.replace(theirs, "ID") == missing.text.replace(unknown, "ID")


async def test_signed_out_visitors_are_sent_to_login(client: httpx.AsyncClient, alice: Account,
                                                     runtime: Runtime) -> None:
    [added] = await runtime.memory.add(alice.user_id, "I love hiking in the Alps")
    doc = await runtime.memory.store_document(alice.user_id, "Plan", "Walk")
    for path in (f"/dashboard/memories/{added.memory.id}", f"/dashboard/documents/{doc.id}"):
        r = await client.get(path)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=" + path.replace("/", "%2F")
        assert "hiking" not in r.text and "Walk" not in r.text
    # An MCP bearer token does not open site pages either.
    r = await client.get(f"/dashboard/memories/{added.memory.id}", headers=alice.headers)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_app_filter_lists_the_apps_memories_came_from(signed_in: httpx.AsyncClient, alice: Account,
                                                            bob: Account, runtime: Runtime) -> None:
    await runtime.stores.oauth.save_client(OAuthClient("client-claude", "Claude", ("https://claude.ai/cb",), "none",
                                                       ("authorization_code",), "memory:read", {}, time.time()))
    await runtime.memory.add(alice.user_id, ["I drink genmaicha", "I live in Lisbon"], client_id="client-claude")
    await runtime.memory.add(alice.user_id, "I love hiking in the Alps", client_id="dashboard")
    await runtime.memory.add(bob.user_id, "Bob's secret plan", client_id="bobs-app")

    page = (await signed_in.get("/dashboard")).text
    select = re.search(r'<select id="app" name="app">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    assert options == [("", "", "All apps"), ("client-claude", "", "Claude (2)"), ("dashboard", "", "Dashboard (1)")]

    filtered = (await signed_in.get("/dashboard", params={"app": "client-claude"})).text
    assert 'value="client-claude" selected>Claude (2)' in filtered
    assert "genmaicha" in filtered and "hiking" not in filtered
