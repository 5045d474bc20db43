"""The dashboard in-process: memories, documents, keys, connected apps, account; CSRF and isolation."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from jean_memory.oauth.bearer import resolve_bearer
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token
from jean_memory.store.oauth import OAuthClient, TokenRecord
from tests.conftest import Account
from tests.web.helpers import csrf_of, login, page_csrf, post_form

pytestmark = pytest.mark.anyio


async def test_add_search_edit_delete_a_memory(signed_in: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    c = signed_in
    r = await post_form(c, "/dashboard", "/dashboard/memories", {"text": "My sister Anna lives in Berlin",
                                                                  "tags": "Family, people"})
    assert r.status_code == 303 and "notice=added" in r.headers["location"]
    assert "Memory saved." in (await c.get(r.headers["location"])).text
    [memory] = (await runtime.memory.list(alice.user_id)).items
    assert memory.text == "My sister Anna lives in Berlin" and memory.tags == ("family", "people")
    assert memory.client_id == "dashboard"
    await runtime.memory.add(alice.user_id, "I love hiking in the Alps", client_id="claude")
    page = (await c.get("/dashboard", params={"q": "where does my sister live"})).text
    assert "Anna lives in Berlin" in page
    assert "hiking" not in page or page.index("Anna lives in Berlin") < page.index("hiking")
    filtered = (await c.get("/dashboard", params={"app": "claude"})).text
    assert "hiking" in filtered and "Anna" not in filtered
    tagged = (await c.get("/dashboard", params={"tag": "family"})).text
    assert "Anna" in tagged and "hiking" not in tagged
    edit = await c.get(f"/dashboard/memories/{memory.id}/edit")
    assert "My sister Anna lives in Berlin</textarea>" in edit.text
    r = await c.post(f"/dashboard/memories/{memory.id}", data={"text": "My sister Anna lives in Munich",
                                                              "tags": "family", "csrf_token": csrf_of(edit.text)})
    assert r.status_code == 303
    assert (await runtime.memory.get(alice.user_id, memory.id)).text == "My sister Anna lives in Munich"
    r = await post_form(c, "/dashboard", f"/dashboard/memories/{memory.id}/delete", {"confirm": "yes"})
    assert r.status_code == 303
    assert [m.text for m in (await runtime.memory.list(alice.user_id)).items] == ["I love hiking in the Alps"]


async def test_bad_input_and_unknown_ids_get_html_pages(signed_in: httpx.AsyncClient, alice: Account,
                                                        runtime: Runtime) -> None:
    r = await post_form(signed_in, "/dashboard", "/dashboard/memories", {"text": "   "})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"] and "<h1>" in r.text
    assert await runtime.memory.count(alice.user_id) == 0
    r = await signed_in.get("/dashboard/memories/no-such-id/edit")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    r = await signed_in.get("/dashboard/documents", params={"page": "abc"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]


async def test_csrf_is_required_for_dashboard_changes(signed_in: httpx.AsyncClient, alice: Account,
                                                      runtime: Runtime) -> None:
    r = await signed_in.post("/dashboard/memories", data={"text": "planted by another site"})
    assert r.status_code == 403
    r = await signed_in.post("/dashboard/keys", data={"name": "x", "csrf_token": "0" * 64})
    assert r.status_code == 403
    assert await runtime.memory.count(alice.user_id) == 0
    assert await runtime.stores.api_keys.list_keys(alice.user_id) != []  # only the fixture's key
    assert len(await runtime.stores.api_keys.list_keys(alice.user_id)) == 1


async def test_other_users_memories_are_out_of_reach(signed_in: httpx.AsyncClient, bob: Account,
                                                     runtime: Runtime) -> None:
    [res] = await runtime.memory.add(bob.user_id, "Bob's secret plan")
    assert "secret plan" not in (await signed_in.get("/dashboard")).text
    assert (await signed_in.get(f"/dashboard/memories/{res.memory.id}/edit")).status_code == 404
    r = await post_form(signed_in, "/dashboard", f"/dashboard/memories/{res.memory.id}/delete", {"confirm": "yes"})
    assert r.status_code == 404
    r = await post_form(signed_in, "/dashboard", "/dashboard/memories/delete", {"memory_ids": [res.memory.id],
                                                                             "confirm": "yes"})
    assert r.status_code == 303, r.text
    assert (await runtime.memory.get(bob.user_id, res.memory.id)).text == "Bob's secret plan"


async def test_pagination_and_bulk_delete(signed_in: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    await runtime.memory.add(alice.user_id, [f"garden fact number {i}" for i in range(30)])
    first = await signed_in.get("/dashboard")
    assert first.text.count('name="memory_ids"') == 25 and "garden fact number 29" in first.text
    next_url = [part.split('"')[0] for part in first.text.split('href="') if "cursor=" in part.split('"')[0]][0]
    second = await signed_in.get(next_url.replace("&amp;", "&"))
    assert second.text.count('name="memory_ids"') == 5 and "garden fact number 0<" in second.text
    ids = [m.id for m in (await runtime.memory.list(alice.user_id, limit=3)).items]
    r = await post_form(signed_in, "/dashboard", "/dashboard/memories/delete", {"memory_ids": ids, "confirm": "yes"})
    assert r.status_code == 303 and await runtime.memory.count(alice.user_id) == 27
    r = await post_form(signed_in, "/dashboard", "/dashboard/memories/delete", {})
    assert r.status_code == 400


async def test_api_keys_are_shown_once_and_revocable(signed_in: httpx.AsyncClient, alice: Account,
                                                     runtime: Runtime) -> None:
    r = await post_form(signed_in, "/dashboard/keys", "/dashboard/keys", {"name": "backup script"})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    secret = r.text.split('id="new-secret" class="secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("jm_")
    assert (await signed_in.get("/api/v1/memories", headers={"Authorization": f"Bearer {secret}"})).status_code == 200
    listing = await signed_in.get("/dashboard/keys")
    assert secret not in listing.text and "backup script" in listing.text
    key = next(k for k in await runtime.stores.api_keys.list_keys(alice.user_id) if k.name == "backup script")
    r = await signed_in.post(f"/dashboard/keys/{key.id}/revoke", data={"csrf_token": csrf_of(listing.text)})
    assert r.status_code == 303
    assert (await signed_in.get("/api/v1/memories", headers={"Authorization": f"Bearer {secret}"})).status_code == 401


async def test_connected_apps_list_and_revoke(signed_in: httpx.AsyncClient, alice: Account, bob: Account,
                                              runtime: Runtime) -> None:
    store = runtime.stores.oauth
    now = time.time()
    await store.save_client(OAuthClient("client-claude", "Claude", ("https://claude.ai/api/mcp/auth_callback",),
                                        "none", ("authorization_code", "refresh_token"), "memory:read memory:write",
                                        {}, now))
    await store.save_grant(alice.user_id, "client-claude", "memory:read memory:write", now)
    token = "jmo_test-access-token"
    await store.issue_tokens([TokenRecord(hash_token(token), "access", "fam1", "client-claude", alice.user_id,
                                          "memory:read memory:write", runtime.settings.mcp_resource, now,
                                          now + 3600)], now)
    assert await resolve_bearer(runtime, token) is not None
    page = await signed_in.get("/dashboard/apps")
    assert "Claude" in page.text and "claude.ai" in page.text
    r = await post_form(signed_in, "/dashboard/apps", "/dashboard/apps/revoke", {"client_id": "someone-else"})
    assert r.status_code == 404
    await store.save_grant(bob.user_id, "client-claude", "memory:read", now)
    r = await post_form(signed_in, "/dashboard/apps", "/dashboard/apps/revoke", {"client_id": "client-claude"})
    assert r.status_code == 303
    assert await resolve_bearer(runtime, token) is None
    assert await store.list_connected_apps(alice.user_id) == []
    assert "No apps connected yet" in (await signed_in.get("/dashboard/apps")).text
    assert [a.client_id for a in await store.list_connected_apps(bob.user_id)] == ["client-claude"]


async def test_documents(signed_in: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    token = await page_csrf(signed_in, "/dashboard/documents")
    r = await signed_in.post("/dashboard/documents", data={"csrf_token": token, "title": ""},
                             files={"file": ("notes.md", b"# Notes\nThe boat is moored at pier 9.", "text/markdown")})
    assert r.status_code == 303
    [doc] = await runtime.memory.list_documents(alice.user_id)
    assert doc.title == "notes.md"
    listing = await signed_in.get("/dashboard/documents")
    assert "notes.md" in listing.text
    assert "pier 9" in (await signed_in.get(f"/dashboard/documents/{doc.id}")).text
    r = await signed_in.post(f"/dashboard/documents/{doc.id}/delete", data={"csrf_token": csrf_of(listing.text),
                                                                            "confirm": "yes"})
    assert r.status_code == 303 and await runtime.memory.list_documents(alice.user_id) == []


async def test_export_import_and_delete_account(signed_in: httpx.AsyncClient, client: httpx.AsyncClient,
                                                alice: Account, bob: Account, runtime: Runtime) -> None:
    await runtime.memory.add(alice.user_id, ["I drink green tea", "My cat is called Miso"], tags=["home"])
    r = await signed_in.get("/dashboard/account/export")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["text"] for x in lines] == ["I drink green tea", "My cat is called Miso"]
    r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/import", {},
                        files={"file": ("export.jsonl", b"{not json\n", "application/x-ndjson")})
    assert r.status_code == 400 and "Line 1" in r.text
    r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/delete", {"confirm_email": "nope"})
    assert r.status_code == 400 and await runtime.stores.users.get_user(alice.user_id) is not None
    assert (await signed_in.get("/api/v1/memories", headers=alice.headers)).status_code == 200  # the key is cached
    r = await post_form(signed_in, "/dashboard/account", "/dashboard/account/delete",
                        {"confirm_email": alice.email.upper()})
    assert r.status_code == 303 and r.headers["location"] == "/?notice=deleted"
    assert await runtime.stores.users.get_user(alice.user_id) is None
    assert (await signed_in.get("/dashboard")).status_code == 303
    assert (await signed_in.get("/api/v1/memories", headers=alice.headers)).status_code == 401  # at once
    # the export imports into another account
    await login(client, bob.email, bob.password)
    r = await post_form(client, "/dashboard/account", "/dashboard/account/import", {},
                        files={"file": ("export.jsonl", "\n".join(json.dumps(x) for x in lines).encode(),
                                        "application/x-ndjson")})
    assert r.status_code == 200 and "Imported 2 memories" in r.text
    assert sorted(m.text for m in (await runtime.memory.list(bob.user_id)).items) == [
        "I drink green tea", "My cat is called Miso"]


async def test_deletes_ask_for_confirmation_first(signed_in: httpx.AsyncClient, alice: Account,
                                                  runtime: Runtime) -> None:
    """One click (a framed page, a slip) never deletes: the delete form answers with a confirmation page whose
    own form, with its own CSRF token, deletes."""
    [one, two] = await runtime.memory.add(alice.user_id, ["My sister Anna lives in Berlin", "I love hiking"])
    doc = await runtime.memory.store_document(alice.user_id, "Boat notes", "The boat is at pier 9.")
    asks = [(f"/dashboard/memories/{one.memory.id}/delete", {}, "My sister Anna lives in Berlin"),
            ("/dashboard/memories/delete", {"memory_ids": [one.memory.id, two.memory.id]}, "2 selected memories"),
            (f"/dashboard/documents/{doc.id}/delete", {}, "Boat notes")]
    for action, data, shown in asks:
        r = await post_form(signed_in, "/dashboard", action, data)
        assert r.status_code == 200 and shown in r.text and f'action="{action}"' in r.text, action
        assert '<input type="hidden" name="confirm" value="yes">' in r.text
        assert await runtime.memory.count(alice.user_id) == 2 and len(await runtime.memory.list_documents(
            alice.user_id)) == 1
    page = await post_form(signed_in, "/dashboard", "/dashboard/memories/delete",
                           {"memory_ids": [one.memory.id, two.memory.id]})
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text)
    posted: dict[str, list[str]] = {}
    for name, value in fields:
        posted.setdefault(name, []).append(value)
    assert posted["confirm"] == ["yes"] and len(posted["memory_ids"]) == 2
    r = await signed_in.post("/dashboard/memories/delete", data=posted)
    assert r.status_code == 303 and "notice=bulk" in r.headers["location"]
    assert await runtime.memory.count(alice.user_id) == 0


async def test_apps_are_named_the_same_everywhere_never_by_raw_id(signed_in: httpx.AsyncClient, alice: Account,
                                                                  runtime: Runtime) -> None:
    now = time.time()
    await runtime.stores.oauth.save_client(OAuthClient("jmc_claude1", "Claude", ("https://claude.ai/cb",), "none",
                                                       ("authorization_code",), "memory:read", {}, now))
    key = next(iter(await runtime.stores.api_keys.list_keys(alice.user_id)))  # the fixture's key, named "test"
    [by_claude] = await runtime.memory.add(alice.user_id, "My sister Anna lives in Berlin", client_id="jmc_claude1")
    [by_key] = await runtime.memory.add(alice.user_id, "I love hiking", client_id=f"api-key:{key.id}")
    doc = await runtime.memory.store_document(alice.user_id, "Boat notes", "Pier 9.", client_id="jmc_claude1")
    listing = (await signed_in.get("/dashboard")).text
    assert "<td>Claude</td>" in listing and "<td>API key “test”</td>" in listing
    assert ">Claude (1)</option>" in listing and ">API key “test” (1)</option>" in listing
    pages = [listing, (await signed_in.get(f"/dashboard/memories/{by_claude.memory.id}")).text,
             (await signed_in.get(f"/dashboard/memories/{by_key.memory.id}")).text,
             (await signed_in.get("/dashboard/documents")).text,
             (await signed_in.get(f"/dashboard/documents/{doc.id}")).text]
    assert "From Claude" in pages[1] and "From API key “test”" in pages[2]
    assert "<td>Claude</td>" in pages[3] and "from Claude" in pages[4]
    for page in pages:  # raw ids only ever in form values, never as text
        assert not re.search(r">[^<]*(jmc_|api-key:)", page)


async def test_apps_that_signed_out_are_not_listed_as_connected(signed_in: httpx.AsyncClient, alice: Account,
                                                                runtime: Runtime) -> None:
    store = runtime.stores.oauth
    now = time.time()
    for client_id, name in [("jmc_live", "Claude"), ("jmc_gone", "Old Cursor")]:
        await store.save_client(OAuthClient(client_id, name, ("https://example.com/cb",), "none",
                                            ("authorization_code", "refresh_token"), "memory:read", {}, now))
        await store.save_grant(alice.user_id, client_id, "memory:read", now)
        await store.issue_tokens([TokenRecord(hash_token(f"tok-{client_id}"), "refresh", f"fam-{client_id}",
                                              client_id, alice.user_id, "memory:read",
                                              runtime.settings.mcp_resource, now, now + 86400)], now)
    await store.revoke_token(hash_token("tok-jmc_gone"), now)  # the app signed out (RFC 7009)
    page = (await signed_in.get("/dashboard/apps")).text
    connected, _, remembered = page.partition("Allowed before, not connected now")
    assert "Claude" in connected and "Old Cursor" not in connected
    assert "Old Cursor" in remembered and 'aria-label="Forget Old Cursor"' in remembered
    r = await post_form(signed_in, "/dashboard/apps", "/dashboard/apps/revoke", {"client_id": "jmc_gone"})
    assert r.status_code == 303 and await store.get_grant_scope(alice.user_id, "jmc_gone") is None
    assert "Old Cursor" not in (await signed_in.get("/dashboard/apps")).text


async def test_app_names_only_for_the_users_own_apps(client: httpx.AsyncClient, alice: Account, bob: Account,
                                                     runtime: Runtime) -> None:
    """Bob asking the App filter for Alice's client id learns nothing; a client Bob has a grant for is named."""
    store, now = runtime.stores.oauth, time.time()
    for client_id, name in [("jmc_alices", "Alice's Diary Sync"), ("jmc_bobs", "Bob's Reader")]:
        await store.save_client(OAuthClient(client_id, name, ("https://app.example/cb",), "none",
                                            ("authorization_code",), "memory:read", {}, now))
    await store.save_grant(alice.user_id, "jmc_alices", "memory:read", now)
    await runtime.memory.add(alice.user_id, "Dentist on Friday", client_id="jmc_alices")
    await store.save_grant(bob.user_id, "jmc_bobs", "memory:read", now)  # granted, no memory from it yet

    assert (await login(client, bob.email, bob.password)).status_code == 303
    r = await client.get("/dashboard", params={"app": "jmc_alices"})
    assert r.status_code == 200 and "Diary Sync" not in r.text and "Dentist" not in r.text
    r = await client.get("/dashboard", params={"app": "jmc_bobs"})
    assert r.status_code == 200 and ">Bob&#39;s Reader</option>" in r.text
