"""The full flow driven by the MCP SDK's own client, in-process: discovery from a bare 401, registration,
authorize with login and consent, token, initialize, tool calls, a refresh, a revocation, a 401 afterwards."""

from __future__ import annotations

import httpx
import httpx2
import pytest
from fastapi import FastAPI

from ..conftest import Account
from .flows import refresh
from .sdk_client import MemoryStorage, Person, connect_and_use, provider

pytestmark = pytest.mark.anyio

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.mark.parametrize("auth_method", ["none", "client_secret_post"])
async def test_sdk_client_full_flow(app: FastAPI, client: httpx.AsyncClient, alice: Account, auth_method: str) -> None:
    storage = MemoryStorage()
    person = Person(client, alice.email, alice.password)
    auth = provider("http://testserver", person, storage, auth_method=auth_method)
    names = await connect_and_use("http://testserver", auth, httpx2.ASGITransport(app=app))
    assert "add_memories" in names and "search_memory" in names
    assert len(person.seen) == 1 and "resource=http" in person.seen[0]
    assert "code_challenge_method=S256" in person.seen[0]
    assert storage.client_info is not None and storage.tokens is not None and storage.tokens.refresh_token
    assert (storage.client_info.client_secret is not None) == (auth_method != "none")

    extra = {"client_secret": storage.client_info.client_secret} if storage.client_info.client_secret else {}
    new = await refresh(client, storage.client_info.client_id, storage.tokens.refresh_token, **extra)
    assert new.status_code == 200, new.text
    access = new.json()["access_token"]
    ok = await client.post("/mcp", json=INIT, headers=MCP_HEADERS | {"Authorization": f"Bearer {access}"})
    assert ok.status_code == 200
    revoke = await client.post("/revoke", data={"token": new.json()["refresh_token"],
                                                "client_id": storage.client_info.client_id} | extra)
    assert revoke.status_code == 200
    after = await client.post("/mcp", json=INIT, headers=MCP_HEADERS | {"Authorization": f"Bearer {access}"})
    assert after.status_code == 401 and 'error="invalid_token"' in after.headers["www-authenticate"]
