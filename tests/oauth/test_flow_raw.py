"""The whole authorization-code flow over the real app, step by step (mcp-oauth.md sections 2-4)."""

from __future__ import annotations

import httpx
import pytest

from ..conftest import Account
from .flows import CLAUDE_AI, exchange, get_code, query, refresh, register

pytestmark = pytest.mark.anyio

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_register_login_consent_token_mcp_refresh_revoke(client: httpx.AsyncClient, alice: Account) -> None:
    info = await register(client)
    assert "client_secret" not in info and info["registration_client_uri"].startswith("http://testserver/register/")
    assert info["scope"] == "memory:read memory:write"
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password,
                                    resource="http://testserver/mcp", prompt="consent")
    r = await exchange(client, info["client_id"], code, verifier, resource="http://testserver/mcp")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    tokens = r.json()
    assert tokens["token_type"] == "Bearer" and tokens["access_token"].startswith("jmo_")
    mcp = await client.post("/mcp", json=INIT, headers=MCP_HEADERS | {
        "Authorization": f"Bearer {tokens['access_token']}"})
    assert mcp.status_code == 200, mcp.text
    new = await refresh(client, info["client_id"], tokens["refresh_token"])
    assert new.status_code == 200 and new.json()["refresh_token"] != tokens["refresh_token"]
    revoked = await client.post("/revoke", data={"token": new.json()["refresh_token"], "client_id": info["client_id"]})
    assert revoked.status_code == 200
    after = await client.post("/mcp", json=INIT, headers=MCP_HEADERS | {
        "Authorization": f"Bearer {new.json()['access_token']}"})
    assert after.status_code == 401 and 'error="invalid_token"' in after.headers["www-authenticate"]


async def test_iss_and_state_on_code_redirect_and_remembered_consent(client: httpx.AsyncClient, alice: Account) -> None:
    from .browser import approve
    from .conftest import pkce
    from .flows import authorize_url

    info = await register(client)
    _, challenge = pkce()
    location = await approve(client, authorize_url(info["client_id"], challenge), alice.email, alice.password)
    q = query(location)
    assert location.startswith(CLAUDE_AI + "?") and q["iss"] == "http://testserver" and q["state"] == "st-123"
    # Second time without prompt=consent: no page, straight back with a code.
    again = await client.get(authorize_url(info["client_id"], challenge))
    consent = await client.get(again.headers["location"])
    assert consent.status_code == 302 and "code=" in consent.headers["location"]
    # prompt=consent always shows the page.
    forced = await client.get(authorize_url(info["client_id"], challenge, prompt="consent"))
    page = await client.get(forced.headers["location"])
    assert page.status_code == 200 and 'name="decision" value="allow"' in page.text and "claude.ai" in page.text


async def test_deny_redirects_access_denied_with_iss(client: httpx.AsyncClient, alice: Account) -> None:
    from .browser import approve
    from .conftest import pkce
    from .flows import authorize_url

    info = await register(client)
    _, challenge = pkce()
    location = await approve(client, authorize_url(info["client_id"], challenge), alice.email, alice.password,
                             decision="deny")
    q = query(location)
    assert q["error"] == "access_denied" and q["iss"] == "http://testserver" and q["state"] == "st-123"
    assert "code" not in q
