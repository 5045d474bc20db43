"""The /mcp endpoint over HTTP: paths, authentication, scopes, Host/Origin, protocol version, session binding."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account, make_account
from tests.mcp_server.conftest import Connect, data, oauth_token

pytestmark = pytest.mark.anyio

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def call(name: str, arguments: dict[str, object], id_: int = 2) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


async def open_session(client: httpx.AsyncClient, account: Account) -> str:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **account.headers})
    assert r.status_code == 200, r.text
    sid = r.headers["mcp-session-id"]
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    headers = {**ACCEPT, **account.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    assert (await client.post("/mcp", json=note, headers=headers)).status_code == 202
    return sid


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_both_paths_answer_without_redirect(client: httpx.AsyncClient, alice: Account, path: str) -> None:
    r = await client.post(path, json=INIT, headers={**ACCEPT, **alice.headers})
    assert r.status_code == 200
    assert "mcp-session-id" in r.headers


async def test_sdk_client_works_on_trailing_slash(connect: Connect, alice: Account) -> None:
    async with connect(alice, path="/mcp/") as session:
        assert len((await session.list_tools()).tools) == 14


async def test_no_token_gets_challenge_without_error(client: httpx.AsyncClient) -> None:
    r = await client.post("/mcp", json=INIT, headers=ACCEPT)
    assert r.status_code == 401
    challenge = r.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"' in challenge
    assert 'scope="memory:read memory:write"' in challenge
    assert "error=" not in challenge


async def test_bad_token_gets_invalid_token(client: httpx.AsyncClient) -> None:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, "Authorization": "Bearer jm_nope"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


async def test_query_string_token_refused(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post(f"/mcp?access_token={alice.api_key}", json=INIT, headers=ACCEPT)
    assert r.status_code in (400, 401)
    assert "mcp-session-id" not in r.headers


async def test_site_cookie_does_not_open_mcp(client: httpx.AsyncClient) -> None:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, "Cookie": "jm_session=anything"})
    assert r.status_code == 401


async def test_foreign_origin_refused_before_auth(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **alice.headers, "Origin": "https://evil.example"})
    assert r.status_code == 403
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, "Origin": "https://evil.example"})
    assert r.status_code == 403


@pytest.mark.parametrize("origin", ["https://claude.ai", "https://chatgpt.com", "http://testserver"])
async def test_allowed_origins(client: httpx.AsyncClient, alice: Account, origin: str) -> None:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **alice.headers, "Origin": origin})
    assert r.status_code == 200


async def test_foreign_host_refused(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **alice.headers, "Host": "evil.example"})
    assert r.status_code == 421


async def test_unsupported_protocol_version(client: httpx.AsyncClient, alice: Account) -> None:
    sid = await open_session(client, alice)
    headers = {**ACCEPT, **alice.headers, "mcp-session-id": sid, "mcp-protocol-version": "1999-01-01"}
    r = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 5, "method": "tools/list"}, headers=headers)
    assert r.status_code == 400


async def test_session_is_bound_to_its_user(client: httpx.AsyncClient, runtime, alice: Account,
                                            bob: Account) -> None:
    sid = await open_session(client, alice)
    base = {**ACCEPT, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    listing = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}
    assert (await client.post("/mcp", json=listing, headers={**base, **alice.headers})).status_code == 200
    stolen = await client.post("/mcp", json=call("list_memories", {}), headers={**base, **bob.headers})
    assert stolen.status_code == 404
    # Alice's own session still works afterwards, and a session id is never a credential on its own.
    assert (await client.post("/mcp", json=listing, headers={**base, **alice.headers})).status_code == 200
    assert (await client.post("/mcp", json=listing, headers=base)).status_code == 401


async def test_a_tool_call_is_answered_with_one_json_body(client: httpx.AsyncClient, alice: Account) -> None:
    sid = await open_session(client, alice)
    headers = {**ACCEPT, **alice.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    r = await client.post("/mcp", json=call("search_memory", {"query": "anything", "limit": 3}, 7), headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["id"] == 7 and r.json()["result"]["isError"] is False


async def test_delete_ends_session(client: httpx.AsyncClient, alice: Account) -> None:
    sid = await open_session(client, alice)
    headers = {**alice.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    assert (await client.delete("/mcp", headers=headers)).status_code == 200
    r = await client.post("/mcp", json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
                          headers={**ACCEPT, **headers})
    assert r.status_code == 404


STEP_UP = ('Bearer error="insufficient_scope", scope="memory:read memory:write", '
           'resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"')


async def test_read_only_token_cannot_write(client: httpx.AsyncClient, connect: Connect, runtime,
                                            alice: Account) -> None:
    """The step-up challenge of MCP 2025-11-25 "Runtime Insufficient Scope Errors" (mcp-oauth.md §8): 403, every
    scope the client should hold afterwards (the write it lacks and the read it has), no offline_access."""
    token, client_id = await oauth_token(runtime, alice.user_id, "memory:read")
    async with connect(token=token) as session:  # initialize and reads work
        assert data(await session.call_tool("list_memories", {}))["memories"] == []
    headers = {**ACCEPT, "Authorization": f"Bearer {token}"}
    r = await client.post("/mcp", json=call("add_memories", {"text": "I like tea"}), headers=headers)
    assert r.status_code == 403
    assert r.headers["www-authenticate"] == STEP_UP
    assert r.json()["error"] == "insufficient_scope"
    assert await runtime.memory.count(alice.user_id) == 0


async def test_read_only_token_gets_the_challenge_inside_a_session(client: httpx.AsyncClient, runtime,
                                                                   alice: Account) -> None:
    token, _ = await oauth_token(runtime, alice.user_id, "memory:read")
    reader = Account(alice.user_id, alice.email, alice.password, token)
    sid = await open_session(client, reader)
    headers = {**ACCEPT, **reader.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    batch = [call("search_memory", {"query": "tea"}, 3), call("delete_memories", {"ids": ["x"]}, 4)]
    r = await client.post("/mcp", json=batch, headers=headers)
    assert r.status_code == 403 and r.headers["www-authenticate"] == STEP_UP
    # The session itself is untouched: a read in it still works.
    r = await client.post("/mcp", json=call("list_memories", {}, 5), headers=headers)
    assert r.status_code == 200 and r.json()["result"]["isError"] is False


async def test_read_only_token_gets_the_challenge_in_the_stateless_era(client: httpx.AsyncClient, runtime,
                                                                       alice: Account) -> None:
    token, _ = await oauth_token(runtime, alice.user_id, "memory:read")
    headers = {**ACCEPT, "Authorization": f"Bearer {token}", "mcp-protocol-version": "2026-07-28",
               "mcp-method": "tools/call", "mcp-name": "store_document"}
    body = call("store_document", {"title": "t", "content": "c"})
    body["params"]["_meta"] = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",  # type: ignore[index]
                               "io.modelcontextprotocol/clientCapabilities": {}}
    r = await client.post("/mcp", json=body, headers=headers)
    assert r.status_code == 403 and r.headers["www-authenticate"] == STEP_UP
    r = await client.post("/mcp", json=body, headers={**headers, **alice.headers})  # the same request, full scope
    assert r.status_code == 200 and r.json()["result"]["isError"] is False, r.text


async def test_write_only_token_cannot_read_through_jean_memory(client: httpx.AsyncClient, runtime,
                                                                alice: Account) -> None:
    """jean_memory saves and then returns relevant memories: it needs both scopes, and the challenge says so."""
    await runtime.memory.add(alice.user_id, "My bank PIN hint is the cat's birthday", client_id=None)
    token, _ = await oauth_token(runtime, alice.user_id, "memory:write")
    writer = Account(alice.user_id, alice.email, alice.password, token)
    sid = await open_session(client, writer)
    r = await client.post("/mcp", json=call("jean_memory", {"user_message": "what is my PIN hint?"}), headers={
        **ACCEPT, **writer.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"})
    assert r.status_code == 403
    assert r.headers["www-authenticate"] == STEP_UP
    assert "birthday" not in r.text


async def test_write_only_token_cannot_read(client: httpx.AsyncClient, runtime, alice: Account) -> None:
    token, _ = await oauth_token(runtime, alice.user_id, "memory:write")
    r = await client.post("/mcp", json=call("search_memory", {"query": "tea"}),
                          headers={**ACCEPT, "Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.headers["www-authenticate"] == STEP_UP


async def test_memories_record_the_oauth_client(connect: Connect, runtime, alice: Account) -> None:
    token, client_id = await oauth_token(runtime, alice.user_id, "memory:read memory:write")
    async with connect(token=token) as session:
        saved = data(await session.call_tool("add_memories", {"text": "I keep bees"}))["saved"]
    assert saved[0]["source"] == client_id
    memory = await runtime.memory.get(alice.user_id, saved[0]["id"])
    assert memory.client_id == client_id


async def test_modern_protocol_client(connect: Connect, alice: Account) -> None:
    async with connect(alice, mode="auto") as session:
        saved = data(await session.call_tool("add_memories", {"text": "I swim on Tuesdays"}))
        assert saved["saved"][0]["text"] == "I swim on Tuesdays"


async def test_stateless_mode(settings, embedder) -> None:
    import httpx2
    from mcp.client.client import Client
    from mcp.client.streamable_http import streamable_http_client

    from jean_memory.app import create_app

    app = create_app(settings.model_copy(update={"stateless": True}), embedder=embedder)
    async with app.router.lifespan_context(app):
        account = await make_account(app.state.runtime, "s@example.com")
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://testserver",
                                  headers=account.headers, timeout=30)
        async with http:
            raw = await http.post("/mcp", json=INIT, headers=ACCEPT)
            assert raw.status_code == 200 and "mcp-session-id" not in raw.headers
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://testserver",
                                  headers=account.headers, timeout=30)
        async with http, Client(streamable_http_client("http://testserver/mcp", http_client=http),
                                mode="legacy") as session:
            data(await session.call_tool("add_memories", {"text": "I run a bakery in Porto"}))
            found = data(await session.call_tool("search_memory", {"query": "bakery"}))
            assert found["results"][0]["text"] == "I run a bakery in Porto"
