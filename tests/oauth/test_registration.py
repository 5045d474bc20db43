"""Dynamic client registration (RFC 7591) and management (RFC 7592): mcp-oauth.md section 2."""

from __future__ import annotations

import base64

import httpx
import pytest

from jean_memory.runtime import Runtime
from jean_memory.security import hash_token

from .flows import CLAUDE_AI, register

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("uri", [
    "javascript:alert(1)", "data:text/html,hi", "http://evil.example.com/cb", "https://claude.ai/cb#frag",
    "https://*.claude.ai/cb", "file:///etc/passwd", "evilapp://cb", "https://user:pw@claude.ai/cb", "/relative",
    "https://claude.ai/a b", "", 42, "https://claude.ai:99999/cb",
])
async def test_hostile_redirect_uris_refused(client: httpx.AsyncClient, runtime: Runtime, uri: object) -> None:
    r = await client.post("/register", json={"redirect_uris": [uri], "token_endpoint_auth_method": "none"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_redirect_uri"
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("body", [
    [1, 2], "x", {"redirect_uris": [CLAUDE_AI], "token_endpoint_auth_method": "private_key_jwt"},
    {"redirect_uris": [CLAUDE_AI], "grant_types": ["client_credentials"]},
    {"redirect_uris": [CLAUDE_AI], "response_types": ["token"]},
    {"redirect_uris": [CLAUDE_AI], "client_uri": "not a url"},
])
async def test_bad_metadata_refused(client: httpx.AsyncClient, body: object) -> None:
    r = await client.post("/register", json=body)
    assert r.status_code == 400 and r.json()["error"] in ("invalid_client_metadata", "invalid_redirect_uri")


async def test_not_json_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/register", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"


@pytest.mark.parametrize("uri", [
    CLAUDE_AI, "https://claude.com/api/mcp/auth_callback", "claude://claude.ai/mcp-auth-callback/sdk",
    "http://127.0.0.1:33418/callback", "http://localhost/cb", "http://[::1]:9/cb",
])
async def test_allowed_redirect_uris(client: httpx.AsyncClient, uri: str) -> None:
    info = await register(client, redirect_uris=[uri])
    assert info["redirect_uris"] == [uri]


async def test_scope_defaults_and_unknown_scopes_dropped(client: httpx.AsyncClient) -> None:
    assert (await register(client))["scope"] == "memory:read memory:write"
    assert (await register(client, scope="memory:read offline_access admin"))["scope"] == "memory:read"
    assert (await register(client, scope="openid"))["scope"] == "memory:read memory:write"


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
async def test_confidential_secret_hashed_at_rest(client: httpx.AsyncClient, runtime: Runtime, method: str) -> None:
    info = await register(client, token_endpoint_auth_method=method)
    assert info["client_secret"] and info["client_secret_expires_at"] == 0
    stored = await runtime.stores.oauth.get_client(info["client_id"])
    assert stored is not None and stored.secret_hash == hash_token(info["client_secret"])
    assert stored.registration_token_hash == hash_token(info["registration_access_token"])


async def test_rfc7592_read_update_delete(client: httpx.AsyncClient) -> None:
    info = await register(client)
    uri = info["registration_client_uri"].removeprefix("http://testserver")
    auth = {"Authorization": f"Bearer {info['registration_access_token']}"}
    assert (await client.get(uri)).status_code == 401
    assert (await client.get(uri, headers={"Authorization": "Bearer wrong"})).status_code == 401
    read = await client.get(uri, headers=auth)
    assert read.status_code == 200 and read.json()["client_id"] == info["client_id"]
    put = await client.put(uri, headers=auth, json={"client_id": info["client_id"], "client_name": "Renamed",
                                                    "redirect_uris": ["https://claude.com/api/mcp/auth_callback"],
                                                    "token_endpoint_auth_method": "none"})
    assert put.status_code == 200 and put.json()["client_name"] == "Renamed"
    hostile = await client.put(uri, headers=auth, json={"client_id": info["client_id"],
                                                        "redirect_uris": ["javascript:x"]})
    assert hostile.status_code == 400
    assert (await client.delete(uri, headers=auth)).status_code == 204
    assert (await client.get(uri, headers=auth)).status_code == 401
    token = await client.post("/token", data={"grant_type": "refresh_token", "refresh_token": "jmr_x",
                                              "client_id": info["client_id"]})
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


async def test_register_rate_limited_per_source(client: httpx.AsyncClient, runtime: Runtime) -> None:
    runtime.settings.rate_limit_register = 2
    for _ in range(2):
        await register(client)
    r = await client.post("/register", json={"redirect_uris": [CLAUDE_AI]})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


async def test_basic_auth_without_client_id_in_body(client: httpx.AsyncClient) -> None:
    info = await register(client, token_endpoint_auth_method="client_secret_basic")
    basic = base64.b64encode(f"{info['client_id']}:{info['client_secret']}".encode()).decode()
    r = await client.post("/revoke", data={"token": "jmo_unknown"}, headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200
    wrong = base64.b64encode(f"{info['client_id']}:nope".encode()).decode()
    r = await client.post("/revoke", data={"token": "jmo_unknown"}, headers={"Authorization": f"Basic {wrong}"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
