"""Two stateless replicas (two ``jean-memory serve`` processes) on one PostgreSQL: any request may land on either.

Both share one public URL, as behind a load balancer; requests to B carry A's Host header, as a balancer
that preserves Host sends them. The OAuth dance runs on A, tools on B, refresh on A, revocation on B, and a
rate-limit window counts hits from both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.server import free_port, running_server
from tests.mcp_server.conftest import data
from tests.oauth.flows import exchange, get_code, refresh, register

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.anyio]
PASSWORD = "replica test password"


@asynccontextmanager
async def mcp_session(url: str, host: str, token: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}", "Host": host}, timeout=30)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http), mode="legacy") as client:
        yield client


async def test_two_replicas_share_memories_tokens_and_limits(postgres_url: str, tmp_path: Path) -> None:
    port_a, port_b = free_port(), free_port()
    public_host = f"127.0.0.1:{port_a}"
    extra = {"JEAN_MEMORY_DATABASE_URL": postgres_url, "JEAN_MEMORY_STATELESS": "true",
             "JEAN_MEMORY_PUBLIC_URL": f"http://{public_host}", "JEAN_MEMORY_RATE_LIMIT_REGISTER": "4"}
    with running_server(tmp_path / "a", port_a, extra) as a, running_server(tmp_path / "b", port_b, extra) as b:
        assert a.cli("users", "create", "--email", "r@example.com", "--password", PASSWORD).returncode == 0
        key = a.cli("keys", "create", "--email", "r@example.com").stdout.decode().strip().splitlines()[-1]
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as ha, \
                httpx.AsyncClient(base_url=b.url, headers={"Host": public_host}, timeout=30) as hb:
            assert (await ha.get("/status")).json()["storage"] == "postgresql"

            # Memories written through one replica are found through the other.
            r = await ha.post("/api/v1/memories", json={"text": "My sister Ana lives in Montreal"}, headers=auth)
            assert r.status_code == 201, r.text
            found = (await hb.get("/api/v1/search", params={"q": "where does Ana live"}, headers=auth)).json()
            assert found[0]["memory"]["text"] == "My sister Ana lives in Montreal"

            # OAuth: register, sign in, consent and exchange on A ...
            client_id = (await register(ha))["client_id"]
            code, verifier = await get_code(ha, client_id, "r@example.com", PASSWORD)
            tokens = (await exchange(ha, client_id, code, verifier)).json()
            # ... tools on B ...
            async with mcp_session(b.url, public_host, tokens["access_token"]) as session:
                data(await session.call_tool("add_memories", {"text": "I keep bees on the roof"}))
                hits = data(await session.call_tool("search_memory", {"query": "Montreal sister"}))["results"]
                assert hits[0]["text"] == "My sister Ana lives in Montreal"
            listed = (await ha.get("/api/v1/memories", headers=auth)).json()["memories"]
            assert {m["text"] for m in listed} >= {"I keep bees on the roof"}

            # ... refresh on A, the new access token works on B ...
            renewed = await refresh(ha, client_id, tokens["refresh_token"])
            assert renewed.status_code == 200, renewed.text
            new = renewed.json()
            async with mcp_session(b.url, public_host, new["access_token"]) as session:
                assert data(await session.call_tool("search_memory", {"query": "bees"}))["results"]

            # ... revoke on B: A refuses the token on its very next request.
            mcp_probe = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
            accept = {"Accept": "application/json, text/event-stream", "Authorization": f"Bearer {new['access_token']}"}
            assert (await ha.post("/mcp", json=mcp_probe, headers=accept)).status_code == 200  # accepted before
            assert (await hb.post("/revoke", data={"token": new["refresh_token"], "client_id": client_id})
                    ).status_code == 200
            assert (await ha.post("/mcp", json=mcp_probe, headers=accept)).status_code == 401
            assert (await refresh(ha, client_id, new["refresh_token"])).status_code == 400

            # Rate-limit windows are shared: 4 registrations allowed in all, A took one above.
            assert (await hb.post("/register", json={"redirect_uris": ["https://x.example/cb"]})).status_code == 201
            assert (await ha.post("/register", json={"redirect_uris": ["https://x.example/cb"]})).status_code == 201
            assert (await hb.post("/register", json={"redirect_uris": ["https://x.example/cb"]})).status_code == 201
            assert (await ha.post("/register", json={"redirect_uris": ["https://x.example/cb"]})).status_code == 429
