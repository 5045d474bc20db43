"""Registrations, codes and tokens live in the database: a new app on the same SQLite file keeps using them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.settings import Settings

from ..conftest import make_account
from .flows import exchange, get_code, refresh, register

pytestmark = pytest.mark.anyio

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
MCP = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_everything_survives_a_restart(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    settings = Settings(data_dir=tmp_path / "data", public_url="http://testserver", _env_file=None)  # type: ignore[call-arg]
    first = create_app(settings, embedder=embedder)
    async with first.router.lifespan_context(first):
        alice = await make_account(first.state.runtime, "alice@example.com")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://testserver") as c:
            info = await register(c)
            second_client = await register(c)
            code_a, verifier_a = await get_code(c, info["client_id"], alice.email, alice.password)
            tokens = (await exchange(c, info["client_id"], code_a, verifier_a)).json()
            code_b, verifier_b = await get_code(c, second_client["client_id"], alice.email, alice.password)

    again = create_app(settings, embedder=embedder)
    async with again.router.lifespan_context(again):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=again), base_url="http://testserver") as c:
            used = await c.post("/mcp", json=INIT, headers=MCP | {"Authorization": f"Bearer {tokens['access_token']}"})
            assert used.status_code == 200
            assert (await refresh(c, info["client_id"], tokens["refresh_token"])).status_code == 200
            late = await exchange(c, second_client["client_id"], code_b, verifier_b)
            assert late.status_code == 200, late.text
            uri = info["registration_client_uri"].removeprefix("http://testserver")
            read = await c.get(uri, headers={"Authorization": f"Bearer {info['registration_access_token']}"})
            assert read.status_code == 200
