"""Bounded MCP sessions (mcp_server/sessions.py) and the ``initialize`` rate limit (guard.py): one user's flood of
``initialize`` never stops another user, and never the flooding user's other clients or the stateless era."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from pydantic import ValidationError

from jean_memory.accounts.api_keys import create_api_key
from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.mcp_server.sessions import BoundedSessionManager
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.conftest import Account, make_account
from tests.mcp_server.test_transport import ACCEPT, INIT, call, open_session

pytestmark = pytest.mark.anyio

LISTING = {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}


@asynccontextmanager
async def served(settings: Settings, embedder: MiniLMEmbedder,
                 **limits: int) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    app = create_app(settings.model_copy(update=limits), embedder=embedder)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            yield c, app.state.runtime


def manager_of(runtime: Runtime) -> BoundedSessionManager:
    manager = runtime.extras["mcp_sessions"]
    assert isinstance(manager, BoundedSessionManager)
    return manager


async def status_in(client: httpx.AsyncClient, account: Account, sid: str) -> int:
    headers = {**ACCEPT, **account.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    return (await client.post("/mcp", json=LISTING, headers=headers)).status_code


async def test_one_users_initialize_flood_leaves_another_user_served(settings: Settings,
                                                                     embedder: MiniLMEmbedder) -> None:
    """The issue's lock-out, scaled down: 2,000 ``initialize`` calls with one key against a process that holds
    at most 200 sessions. Each call is served (its principal's oldest session closes instead), so the process
    never fills, and another user's open session and new ``initialize`` both still answer 200."""
    async with served(settings, embedder, mcp_max_sessions=200, mcp_sessions_per_client=8,
                      rate_limit_mcp_initialize=10_000) as (client, runtime):
        alice = await make_account(runtime, "alice@example.com")
        mallory = await make_account(runtime, "mallory@example.com")
        kept = await open_session(client, alice)
        statuses: Counter[int] = Counter()
        todo = iter(range(2000))

        async def flood() -> None:  # eight at a time, so admissions race for the SDK's creation lock
            for _ in todo:
                r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **mallory.headers})
                statuses[r.status_code] += 1

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(flood)
        assert statuses == Counter({200: 2000})
        assert manager_of(runtime).open_sessions <= 8 + 1
        assert await status_in(client, alice, kept) == 200
        r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **alice.headers})
        assert r.status_code == 200 and "mcp-session-id" in r.headers


async def test_the_oldest_session_of_the_client_is_closed(settings: Settings, embedder: MiniLMEmbedder) -> None:
    async with served(settings, embedder, mcp_sessions_per_client=3) as (client, runtime):
        bob = await make_account(runtime, "bob@example.com")
        sids = [await open_session(client, bob) for _ in range(4)]
        assert [await status_in(client, bob, sid) for sid in sids] == [404, 200, 200, 200]


async def test_the_user_cap_spans_clients(settings: Settings, embedder: MiniLMEmbedder) -> None:
    """Two API keys are two clients of one user: each under its own cap, together under the user's."""
    async with served(settings, embedder, mcp_sessions_per_client=3, mcp_sessions_per_user=4) as (client, runtime):
        bob = await make_account(runtime, "bob@example.com")
        _, secret = await create_api_key(runtime.stores, bob.user_id, "second")
        bob2 = Account(bob.user_id, bob.email, bob.password, secret)
        first = [await open_session(client, bob) for _ in range(3)]
        second = [await open_session(client, bob2) for _ in range(2)]
        assert [await status_in(client, bob, sid) for sid in first] == [404, 200, 200]
        assert [await status_in(client, bob2, sid) for sid in second] == [200, 200]
        assert manager_of(runtime).open_sessions == 4


async def test_a_few_accounts_at_their_caps_cannot_fill_the_table(settings: Settings,
                                                                  embedder: MiniLMEmbedder) -> None:
    """The issue's ~100 accounts at 100 sessions each, scaled down: three accounts fill a 30-session table beside
    bob's one session. A new user still gets a session (it used to be 503): the one closed for it is the
    longest-idle of the user holding the most, and bob keeps his."""
    async with served(settings, embedder, mcp_max_sessions=30, mcp_sessions_per_client=12,
                      mcp_sessions_per_user=12) as (client, runtime):
        bob = await make_account(runtime, "bob@example.com")
        kept = await open_session(client, bob)
        mallories = [await make_account(runtime, f"mallory{i}@example.com") for i in range(3)]
        held = {m.email: [await open_session(client, m) for _ in range(n)]
                for m, n in zip(mallories, (12, 12, 5), strict=True)}
        assert manager_of(runtime).open_sessions == 30
        for newcomer, evicted_from in (("alice", mallories[0]), ("carol", mallories[1])):
            account = await make_account(runtime, f"{newcomer}@example.com")
            r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **account.headers})
            assert r.status_code == 200 and "mcp-session-id" in r.headers, r.text
            assert manager_of(runtime).open_sessions == 30
            assert await status_in(client, evicted_from, held[evicted_from.email][0]) == 404
        for m in mallories:
            rest = held[m.email][1:] if m is not mallories[2] else held[m.email]
            assert [await status_in(client, m, sid) for sid in rest] == [200] * len(rest)
        assert await status_in(client, bob, kept) == 200


async def test_initialize_is_rate_limited_per_principal(settings: Settings, embedder: MiniLMEmbedder) -> None:
    async with served(settings, embedder, rate_limit_mcp_initialize=3) as (client, runtime):
        alice = await make_account(runtime, "alice@example.com")
        bob = await make_account(runtime, "bob@example.com")
        sids = [await open_session(client, bob) for _ in range(3)]
        r = await client.post("/mcp", json=INIT, headers={**ACCEPT, **bob.headers})
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= runtime.settings.rate_limit_window
        body: dict[str, Any] = r.json()
        assert body["id"] == INIT["id"] and body["error"]["code"] == -32000
        assert f"try again in {r.headers['retry-after']} seconds" in body["error"]["message"]
        assert "mcp-session-id" not in r.headers
        # Only opening sessions is limited: bob's sessions, bob's stateless-era calls and alice are untouched.
        assert await status_in(client, bob, sids[0]) == 200
        modern = call("list_memories", {})
        modern["params"]["_meta"] = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",  # type: ignore[index]
                                     "io.modelcontextprotocol/clientCapabilities": {}}
        r = await client.post("/mcp", json=modern, headers={
            **ACCEPT, **bob.headers, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call",
            "mcp-name": "list_memories"})
        assert r.status_code == 200 and r.json()["result"]["isError"] is False
        assert (await client.post("/mcp", json=INIT, headers={**ACCEPT, **alice.headers})).status_code == 200


async def test_sessions_idle_out_sooner_than_the_sdk_default(runtime: Runtime) -> None:
    manager = manager_of(runtime)
    assert manager.session_idle_timeout == runtime.settings.mcp_session_idle_seconds == 600
    assert (manager.per_client, manager.per_user, manager.max_sessions) == (32, 100, 10_000)
    s = runtime.settings
    assert (s.mcp_streams_per_user, s.mcp_streams_max, s.mcp_stream_recheck_seconds) == (20, 2000, 30)


@pytest.mark.parametrize("name", ["mcp_session_idle_seconds", "mcp_sessions_per_client", "mcp_sessions_per_user",
                                  "mcp_max_sessions", "rate_limit_mcp_initialize", "mcp_streams_per_user",
                                  "mcp_streams_max", "mcp_stream_recheck_seconds"])
def test_session_limits_must_be_positive(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None, **{name: 0})  # type: ignore[call-arg]
