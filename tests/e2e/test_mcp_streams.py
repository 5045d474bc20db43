"""Long-lived MCP streams over real sockets (mcp_server/streams.py): capped per user and per process with a clear
429, and ended when their token is revoked (dashboard, ``/revoke``, the CLI in another process) or expires."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.mcp_server.streams import open_streams
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import make_account
from tests.e2e.live import Live, live_server
from tests.oauth.conftest import seed_client, seed_tokens
from tests.web.helpers import login, post_form

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
MODERN = {"mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}


def listen(id_: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": id_, "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": True},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                  "io.modelcontextprotocol/clientCapabilities": {}}}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def served(tmp_path: Path, embedder: MiniLMEmbedder, **settings: Any) -> AsyncIterator[Live]:
    base = Settings(data_dir=tmp_path / "data", _env_file=None, **settings)  # type: ignore[call-arg]
    async with live_server(base, embedder) as live:
        yield live


@asynccontextmanager
async def opened(c: httpx.AsyncClient, token: str, id_: int = 1, *, get: bool = False,
                 session: str | None = None) -> AsyncIterator[httpx.Response]:
    """A listen stream (or a GET stream: stateless, or of ``session``), held open until the block ends."""
    headers = {**ACCEPT, **bearer(token)}
    if get:
        headers |= {"Accept": "text/event-stream"}
        if session is not None:
            headers |= {"mcp-session-id": session, "mcp-protocol-version": "2025-06-18"}
        request = c.build_request("GET", "/mcp", headers=headers)
    else:
        request = c.build_request("POST", "/mcp", json=listen(id_), headers=headers | MODERN)
    response = await c.send(request, stream=True)
    try:
        yield response
    finally:
        await response.aclose()


def is_stream(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")


async def ended(response: httpx.Response, within: float = 10) -> bytes:
    """The rest of the stream, once the server has finished it (fails after ``within`` seconds)."""
    with anyio.fail_after(within):
        return b"".join([chunk async for chunk in response.aiter_raw()])


async def until(check: Callable[[], bool], within: float = 10) -> None:
    """Wait for the server to notice something the client did (a closed stream) – bounded, never a fixed sleep."""
    with anyio.fail_after(within):
        while not check():
            await anyio.sleep(0.01)


async def refused(c: httpx.AsyncClient, token: str, id_: int = 9, *, get: bool = False) -> dict[str, Any]:
    async with opened(c, token, id_, get=get) as r:
        assert r.status_code == 429, (r.status_code, r.headers)
        assert int(r.headers["retry-after"]) > 0
        body: dict[str, Any] = json.loads(await r.aread())
        assert body["id"] == (None if get else id_) and body["error"]["code"] == -32000
        return body


async def test_streams_are_capped_per_user_and_per_process(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    """The issue's 1,000 streams from one key, scaled down: past the per-user cap each more gets 429 naming it, past
    the process cap everyone's does, other requests are still served, and a closed stream frees its place."""
    async with served(tmp_path, embedder, mcp_streams_per_user=3, mcp_streams_max=5) as live:
        alice, bob = [await make_account(live.runtime, f"{n}@example.com") for n in ("alice", "bob")]
        streams = open_streams(live.runtime)
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            mine = [await held.enter_async_context(opened(c, alice.api_key, i)) for i in range(3)]
            assert all(is_stream(r) for r in mine)
            body = await refused(c, alice.api_key)
            assert "JEAN_MEMORY_MCP_STREAMS_PER_USER" in body["error"]["message"]
            assert "3 are open" in body["error"]["message"]
            theirs = [await held.enter_async_context(opened(c, bob.api_key, i)) for i in range(2)]
            assert all(is_stream(r) for r in theirs)
            message = (await refused(c, bob.api_key, 11))["error"]["message"]
            assert "JEAN_MEMORY_MCP_STREAMS_MAX" in message and "5 are open" in message
            assert streams.count == 5
            meta = listen(0)["params"]["_meta"]
            listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": meta}}
            r = await c.post("/mcp", json=listing, headers={**ACCEPT, **bearer(bob.api_key),
                                                            "mcp-protocol-version": "2026-07-28",
                                                            "mcp-method": "tools/list"})
            assert r.status_code == 200 and r.json()["result"]["tools"]
            await mine[0].aclose()
            await until(lambda: streams.count == 4)
            async with opened(c, bob.api_key, 12) as r:
                assert is_stream(r)
        await until(lambda: streams.count == 0)


async def test_stateless_get_streams_count(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    """``GET /mcp`` with ``JEAN_MEMORY_STATELESS=true`` holds a stream too, counted with the listen streams."""
    async with served(tmp_path, embedder, stateless=True, mcp_streams_per_user=2) as live:
        alice = await make_account(live.runtime, "alice@example.com")
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            first = await held.enter_async_context(opened(c, alice.api_key, get=True))
            second = await held.enter_async_context(opened(c, alice.api_key, 4))
            assert is_stream(first) and is_stream(second)
            assert "JEAN_MEMORY_MCP_STREAMS_PER_USER" in (await refused(c, alice.api_key, get=True))["error"]["message"]
            await refused(c, alice.api_key, 5)


async def test_a_sessions_get_stream_counts(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    async with served(tmp_path, embedder, mcp_streams_per_user=1) as live:
        alice = await make_account(live.runtime, "alice@example.com")
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c:
            init = await c.post("/mcp", json=INIT, headers={**ACCEPT, **bearer(alice.api_key)})
            async with opened(c, alice.api_key, get=True, session=init.headers["mcp-session-id"]) as r:
                assert is_stream(r)
                await refused(c, alice.api_key, 3)


async def still_open(runtime: Runtime, user_id: str, count: int) -> None:
    await until(lambda: open_streams(runtime).of_user(user_id) == count)


async def two_streams(c: httpx.AsyncClient, held: AsyncExitStack, token: str, session: bool = True
                      ) -> list[httpx.Response]:
    """A listen stream and a session's GET stream for ``token``."""
    streams = [await held.enter_async_context(opened(c, token, 1))]
    if session:
        init = await c.post("/mcp", json=INIT, headers={**ACCEPT, **bearer(token)})
        assert init.status_code == 200, init.text
        streams.append(await held.enter_async_context(
            opened(c, token, get=True, session=init.headers["mcp-session-id"])))
    assert all(is_stream(r) for r in streams)
    return streams


async def test_revoking_a_key_on_the_dashboard_ends_its_streams(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    async with served(tmp_path, embedder) as live:  # re-checks every 30 s: only the revocation can end them here
        alice, bob = [await make_account(live.runtime, f"{n}@example.com") for n in ("alice", "bob")]
        (key,) = await live.runtime.stores.api_keys.list_keys(alice.user_id)
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            doomed = await two_streams(c, held, alice.api_key)
            await two_streams(c, held, bob.api_key)
            async with httpx.AsyncClient(base_url=live.url, timeout=30) as site:
                assert (await login(site, alice.email, alice.password)).status_code == 303
                r = await post_form(site, "/dashboard/keys", f"/dashboard/keys/{key.id}/revoke", {})
                assert r.status_code == 303
            for stream in doomed:
                assert isinstance(await ended(stream), bytes)
            assert open_streams(live.runtime).of_user(alice.user_id) == 0
            assert open_streams(live.runtime).of_user(bob.user_id) == 2
            async with opened(c, alice.api_key, 7) as again:
                assert again.status_code == 401 and "invalid_token" in again.headers["www-authenticate"]


async def test_revoking_an_oauth_token_or_app_ends_its_streams(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    """RFC 7009 ``/revoke`` by the app, then the person disconnecting the app on the dashboard."""
    async with served(tmp_path, embedder) as live:
        alice = await make_account(live.runtime, "alice@example.com")
        await seed_client(live.runtime)
        access, _ = await seed_tokens(live.runtime, alice.user_id)
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            doomed = await two_streams(c, held, access)
            kept = await two_streams(c, held, alice.api_key)  # the same user's API key is not revoked
            r = await c.post("/revoke", data={"token": access, "client_id": "c-test"})
            assert r.status_code == 200
            for stream in doomed:
                await ended(stream)
            await still_open(live.runtime, alice.user_id, len(kept))

            access2, _ = await seed_tokens(live.runtime, alice.user_id)
            doomed = await two_streams(c, held, access2)
            async with httpx.AsyncClient(base_url=live.url, timeout=30) as site:
                assert (await login(site, alice.email, alice.password)).status_code == 303
                r = await post_form(site, "/dashboard/apps", "/dashboard/apps/revoke", {"client_id": "c-test"})
                assert r.status_code == 303
            for stream in doomed:
                await ended(stream)
            await still_open(live.runtime, alice.user_id, len(kept))


async def test_an_expiring_access_token_ends_its_streams(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    async with served(tmp_path, embedder) as live:
        alice = await make_account(live.runtime, "alice@example.com")
        await seed_client(live.runtime)
        access, _ = await seed_tokens(live.runtime, alice.user_id, ttl=2)
        started = anyio.current_time()
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            for stream in await two_streams(c, held, access):
                await ended(stream)
            assert 1 < anyio.current_time() - started < 10  # at the expiry, not at the 30 s re-check
            async with opened(c, access, 7) as again:
                assert again.status_code == 401


async def test_a_key_revoked_by_the_cli_ends_its_stream_at_the_next_check(tmp_path: Path,
                                                                          embedder: MiniLMEmbedder) -> None:
    """Another process cannot tell this one: the periodic re-check ends the stream."""
    async with served(tmp_path, embedder, mcp_stream_recheck_seconds=0.2) as live:
        alice = await make_account(live.runtime, "alice@example.com")
        (key,) = await live.runtime.stores.api_keys.list_keys(alice.user_id)
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as c, AsyncExitStack() as held:
            (stream,) = await two_streams(c, held, alice.api_key, session=False)
            env = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
            env["JEAN_MEMORY_DATA_DIR"] = str(tmp_path / "data")
            done = await anyio.run_process([sys.executable, "-m", "jean_memory.cli", "keys", "revoke", "--email",
                                            alice.email, "--id", key.id], env=env, check=False,
                                           stderr=subprocess.STDOUT)
            assert done.returncode == 0, done.stdout.decode()
            await ended(stream)
