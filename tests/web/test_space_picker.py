"""The space picker in-process: the consent page (which spaces an app reads, where it writes), API key creation
and narrowing, and narrowing a connected app; CSRF and bad choices re-show the page with the error."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.accounts.api_keys import principal_for_key
from jean_memory.oauth.bearer import resolve_bearer
from jean_memory.runtime import Runtime
from jean_memory.spaces.resolve import reach_for, reach_of_person
from jean_memory.store.space_records import Reachable, Space
from tests.conftest import Account
from tests.oauth.browser import hidden_fields
from tests.oauth.conftest import pkce, seed_client, seed_tokens
from tests.oauth.flows import CLAUDE_AI, authorize_url, exchange, query, register
from tests.web.helpers import page_csrf, post_form
from tests.web.spaces_helpers import boxes, make_space, share

pytestmark = pytest.mark.anyio
MCP = "http://testserver/mcp"


async def _spaces(runtime: Runtime, alice: Account, bob: Account) -> tuple[Space, Space]:
    """Alice's ``work``, and Bob's ``garden`` shared with her as reader."""
    work = await make_space(runtime, alice, "work")
    garden = await make_space(runtime, bob, "garden")
    await share(runtime, bob, garden, alice, "reader")
    return work, garden


async def _consent(c: httpx.AsyncClient, client_id: str) -> tuple[httpx.Response, str]:
    verifier, challenge = pkce()
    r = await c.get(authorize_url(client_id, challenge, prompt="consent", resource=MCP))
    assert r.status_code == 303, r.text
    return await c.get(r.headers["location"]), verifier


async def test_consent_page_picker_gives_the_app_only_the_chosen_spaces(
        signed_in: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    work, garden = await _spaces(runtime, alice, bob)
    personal = alice.user_id
    reach = await reach_of_person(runtime.stores, alice.user_id)
    await runtime.memory.add(reach, "My blood type is 0 negative")
    await runtime.memory.add(reach, "The deploy runbook lives in the ops wiki", space=work.id)
    client_id = (await register(c))["client_id"]

    page, verifier = await _consent(c, client_id)
    assert page.status_code == 200
    assert boxes(page.text) == {personal: True, work.id: True, garden.id: False}  # default: every own space
    assert re.search(rf'<option value="{personal}" selected>personal</option>', page.text)
    assert f'<option value="{garden.id}"' not in page.text  # a reader's space is never a write target
    assert "includes spaces you create later" in page.text and "shared by bob@example.com, reader" in page.text

    r = await c.post("/authorize/consent", data=hidden_fields(page.text) | {
        "decision": "allow", "spaces": [work.id], "write_space": work.id})
    assert r.status_code == 302 and r.headers["location"].startswith(CLAUDE_AI), r.text
    assert await runtime.stores.spaces.grant_reach(alice.user_id, client_id) == Reachable((work.id,), work.id)
    tokens = await exchange(c, client_id, query(r.headers["location"])["code"], verifier, resource=MCP)
    assert tokens.status_code == 200, tokens.text
    principal = await resolve_bearer(runtime, tokens.json()["access_token"])
    assert principal is not None
    scoped = await reach_for(runtime.stores, principal)
    assert scoped.ids == (work.id,) and scoped.write_id == work.id
    found = [h.memory.text for h in await runtime.memory.search(scoped, "blood type runbook wiki", limit=10)]
    assert found == ["The deploy runbook lives in the ops wiki"]

    # Asked again, the page starts on what the app was given.
    again, _ = await _consent(c, client_id)
    assert boxes(again.text) == {personal: False, work.id: True, garden.id: False}
    # Every own space and no shared one is stored as "every space", so spaces made later are included.
    r = await c.post("/authorize/consent", data=hidden_fields(again.text) | {
        "decision": "allow", "spaces": [personal, work.id], "write_space": personal})
    assert r.status_code == 302
    assert await runtime.stores.spaces.grant_reach(alice.user_id, client_id) == Reachable(None, None)


async def test_consent_page_refuses_bad_choices_and_keeps_the_request(
        signed_in: httpx.AsyncClient, alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    work, garden = await _spaces(runtime, alice, bob)
    bobs_own = bob.user_id  # Bob's personal space: not Alice's to give
    client_id = (await register(c))["client_id"]
    page, _ = await _consent(c, client_id)
    bad = [({"spaces": [bobs_own], "write_space": alice.user_id}, "is not one of your spaces"),
           ({"spaces": [work.id], "write_space": alice.user_id}, "must go to one of the spaces you checked"),
           ({"spaces": [work.id, garden.id], "write_space": garden.id}, "must go to one of the spaces you checked"),
           ({"write_space": work.id}, "Choose at least one space"),
           ({"spaces": ["x" * 300], "write_space": work.id}, "is not one of your spaces")]
    for data, words in bad:
        r = await c.post("/authorize/consent", data=hidden_fields(page.text) | {"decision": "allow"} | data)
        assert r.status_code == 400 and words in r.text and 'role="alert"' in r.text, (data, r.text[:300])
        assert 'name="decision" value="allow"' in r.text  # the same consent form, to choose again
        page = r
    assert await runtime.stores.spaces.grant_reach(alice.user_id, client_id) is None
    assert await runtime.stores.oauth.get_grant_scope(alice.user_id, client_id) is None
    # Without the CSRF token nothing is granted either.
    fields = hidden_fields(page.text)
    r = await c.post("/authorize/consent", data={"request": fields["request"], "decision": "allow",
                                                 "spaces": [work.id], "write_space": work.id})
    assert r.status_code == 403 and await runtime.stores.spaces.grant_reach(alice.user_id, client_id) is None
    # The request is still usable: a good choice goes through. A shared space the person only reads may be given
    # alone; the app then has no space to write to.
    r = await c.post("/authorize/consent", data=fields | {"decision": "allow", "spaces": [garden.id],
                                                          "write_space": alice.user_id})
    assert r.status_code == 302 and "code=" in r.headers["location"]
    assert await runtime.stores.spaces.grant_reach(alice.user_id, client_id) == Reachable((garden.id,), None)


async def test_api_keys_are_created_with_spaces_and_narrowed(signed_in: httpx.AsyncClient, alice: Account,
                                                             bob: Account, runtime: Runtime) -> None:
    c = signed_in
    work, garden = await _spaces(runtime, alice, bob)
    page = (await c.get("/dashboard/keys")).text
    assert boxes(page.split("Create a key")[1].split("</form>")[0]) == {
        alice.user_id: True, work.id: True, garden.id: False}
    r = await post_form(c, "/dashboard/keys", "/dashboard/keys", {"name": "work laptop", "spaces": [work.id],
                                                                   "write_space": work.id})
    assert r.status_code == 201
    secret = re.search(r'value="(jm_[^"]+)"', r.text)
    assert secret is not None
    [key] = [k for k in await runtime.stores.api_keys.list_keys(alice.user_id) if k.name == "work laptop"]
    assert (key.spaces, key.write_space) == ((work.id,), work.id)
    principal = await principal_for_key(runtime.stores, secret.group(1))
    assert principal is not None and (await reach_for(runtime.stores, principal)).ids == (work.id,)
    listing = (await c.get("/dashboard/keys")).text
    row = listing.split("work laptop</td>")[1].split("</tr>")[0]
    assert '<span class="key-reach">work</span>' in row and "new memories go to work" in row
    assert '<span class="key-reach">all your spaces</span>' in listing  # the fixture's key, from before spaces

    r = await post_form(c, "/dashboard/keys", f"/dashboard/keys/{key.id}/spaces", {
        "spaces": [alice.user_id, garden.id], "write_space": alice.user_id})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=narrowed")
    assert await runtime.stores.spaces.key_reach(key.id) == Reachable((alice.user_id, garden.id), None)
    assert "personal, garden (shared by bob@example.com)" in (await c.get("/dashboard/keys")).text

    for data in ({"spaces": [bob.user_id], "write_space": alice.user_id}, {"write_space": work.id},
                 {"spaces": [work.id], "write_space": garden.id}):
        r = await post_form(c, "/dashboard/keys", f"/dashboard/keys/{key.id}/spaces", data)
        assert r.status_code == 400 and 'role="alert"' in r.text and "API keys" in r.text, data
        r = await post_form(c, "/dashboard/keys", "/dashboard/keys", {"name": "bad"} | data)
        assert r.status_code == 400, data
    assert await runtime.stores.spaces.key_reach(key.id) == Reachable((alice.user_id, garden.id), None)
    assert not [k for k in await runtime.stores.api_keys.list_keys(alice.user_id) if k.name == "bad"]
    r = await c.post(f"/dashboard/keys/{key.id}/spaces", data={"spaces": [work.id], "write_space": work.id})
    assert r.status_code == 403
    [bobs_key] = await runtime.stores.api_keys.list_keys(bob.user_id)
    r = await post_form(c, "/dashboard/keys", f"/dashboard/keys/{bobs_key.id}/spaces", {
        "spaces": [work.id], "write_space": work.id})
    assert r.status_code == 404 and await runtime.stores.spaces.key_reach(bobs_key.id) == Reachable()


async def test_connected_apps_show_and_narrow_their_spaces(signed_in: httpx.AsyncClient, app: FastAPI,
                                                           alice: Account, bob: Account, runtime: Runtime) -> None:
    c = signed_in
    work, garden = await _spaces(runtime, alice, bob)
    await seed_client(runtime, "c-test")
    await seed_tokens(runtime, alice.user_id, "c-test")
    page = (await c.get("/dashboard/apps")).text
    assert '<span class="app-reach">all your spaces</span>' in page and "new memories go to personal" in page
    r = await post_form(c, "/dashboard/apps", "/dashboard/apps/spaces", {
        "client_id": "c-test", "spaces": [work.id, garden.id], "write_space": work.id})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=narrowed")
    assert await runtime.stores.spaces.grant_reach(alice.user_id, "c-test") == Reachable(
        (work.id, garden.id), work.id)
    page = (await c.get("/dashboard/apps")).text
    assert "work, garden (shared by bob@example.com)" in page and "new memories go to work" in page
    assert boxes(page) == {alice.user_id: False, work.id: True, garden.id: True}

    for data, status in (({"client_id": "c-test", "spaces": [bob.user_id], "write_space": work.id}, 400),
                         ({"client_id": "c-test", "spaces": [garden.id, work.id], "write_space": garden.id}, 400),
                         ({"client_id": "someone-else", "spaces": [work.id], "write_space": work.id}, 404)):
        r = await post_form(c, "/dashboard/apps", "/dashboard/apps/spaces", data)
        assert r.status_code == status and "text/html" in r.headers["content-type"], data
    token = await page_csrf(c, "/dashboard/apps")
    r = await c.post("/dashboard/apps/spaces", data={"client_id": "c-test", "spaces": [alice.user_id],
                                                     "write_space": alice.user_id, "csrf_token": token[::-1]})
    assert r.status_code == 403
    assert await runtime.stores.spaces.grant_reach(alice.user_id, "c-test") == Reachable(
        (work.id, garden.id), work.id)
