"""The full OAuth flow over a real socket: ``jean-memory serve`` on a loopback port, the MCP SDK's own client."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.server import running_server
from tests.oauth.flows import refresh
from tests.oauth.sdk_client import MemoryStorage, Person, connect_and_use, provider

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_sdk_client_over_socket_then_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        out = server.cli("users", "create", "--email", "alice@example.com", "--password", "correct horse battery")
        assert out.returncode == 0, out.stderr
        storage = MemoryStorage()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
            person = Person(browser, "alice@example.com", "correct horse battery")
            names = await connect_and_use(server.url, provider(server.url, person, storage))
        assert "add_memories" in names and len(person.seen) == 1
        port = server.url.rsplit(":", 1)[1]
    assert storage.tokens is not None and storage.client_info is not None and storage.tokens.refresh_token
    with running_server(data, int(port)) as server:  # a restarted process on the same database
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            r = await refresh(http, storage.client_info.client_id, storage.tokens.refresh_token)
            assert r.status_code == 200, r.text
            access = r.json()["access_token"]
            headers = {"Authorization": f"Bearer {access}", "Accept": "application/json, text/event-stream"}
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
            assert (await http.post("/mcp", json=init, headers=headers)).status_code == 200
            revoked = await http.post("/revoke", data={"token": r.json()["refresh_token"],
                                                       "client_id": storage.client_info.client_id})
            assert revoked.status_code == 200
            after = await http.post("/mcp", json=init, headers=headers)
            assert after.status_code == 401 and 'error="invalid_token"' in after.headers["www-authenticate"]
