"""Token introspection (RFC 7662) for confidential clients, advertised in the AS metadata."""

from __future__ import annotations

import base64

import httpx
import pytest

from ..conftest import Account
from .flows import exchange, get_code, refresh, register

pytestmark = pytest.mark.anyio


def _basic(info: dict[str, str]) -> dict[str, str]:
    raw = f"{info['client_id']}:{info['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def test_metadata_lists_the_endpoint(client: httpx.AsyncClient) -> None:
    m = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert m["introspection_endpoint"] == "http://testserver/introspect"
    assert m["introspection_endpoint_auth_methods_supported"] == ["client_secret_post", "client_secret_basic"]


async def test_introspection_describes_live_tokens_only(client: httpx.AsyncClient, alice: Account) -> None:
    app = await register(client)  # the public client the person connects (Claude)
    code, verifier = await get_code(client, app["client_id"], alice.email, alice.password)
    tokens = (await exchange(client, app["client_id"], code, verifier)).json()
    rs = await register(client, client_name="Resource server", token_endpoint_auth_method="client_secret_basic")

    r = await client.post("/introspect", data={"token": tokens["access_token"]}, headers=_basic(rs))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["active"] is True and body["client_id"] == app["client_id"] and body["sub"] == alice.user_id
    assert body["scope"] == "memory:read memory:write" and body["aud"] == "http://testserver/mcp"
    assert body["iss"] == "http://testserver" and body["token_type"] == "Bearer" and body["exp"] > body["iat"]

    # A refresh token is described only to its own client; unknown tokens and API keys are just inactive.
    for token in (tokens["refresh_token"], "jmo_unknown", alice.api_key, "x" * 5000):
        r = await client.post("/introspect", data={"token": token}, headers=_basic(rs))
        assert r.status_code == 200 and r.json() == {"active": False}

    # Rotated past use and revoked tokens are inactive.
    rotated = await refresh(client, app["client_id"], tokens["refresh_token"])
    assert rotated.status_code == 200
    new_access = rotated.json()["access_token"]
    assert (await client.post("/introspect", data={"token": new_access}, headers=_basic(rs))).json()["active"]
    await client.post("/revoke", data={"token": rotated.json()["refresh_token"], "client_id": app["client_id"]})
    r = await client.post("/introspect", data={"token": new_access}, headers=_basic(rs))
    assert r.json() == {"active": False}


async def test_introspection_needs_client_credentials(client: httpx.AsyncClient) -> None:
    public = await register(client)
    r = await client.post("/introspect", data={"token": "jmo_x", "client_id": public["client_id"]})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    rs = await register(client, token_endpoint_auth_method="client_secret_post")
    r = await client.post("/introspect", data={"token": "jmo_x", "client_id": rs["client_id"],
                                               "client_secret": "wrong"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.post("/introspect", data={"token": "jmo_x", "client_id": rs["client_id"],
                                               "client_secret": rs["client_secret"]})
    assert r.status_code == 200 and r.json() == {"active": False}
    r = await client.post("/introspect", data={"client_id": rs["client_id"], "client_secret": rs["client_secret"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
