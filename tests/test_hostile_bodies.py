"""Hostile bodies anywhere JSON is parsed: deep nesting, wrong shapes, absurd times. A clear 4xx, never a 500."""

from __future__ import annotations

import httpx
import pytest

from jean_memory.errors import InvalidInput
from jean_memory.oauth.client_documents import _max_age
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio

DEEP = b"[" * 200_000
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def test_deeply_nested_json_is_a_client_error(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.post("/register", content=DEEP, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    r = await client.post("/mcp", content=DEEP, headers=MCP_HEADERS | alice.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == -32700
    r = await client.post("/api/v1/memories", content=b'{"text": ' + DEEP, headers=alice.headers
                          | {"content-type": "application/json"})
    assert 400 <= r.status_code < 500


async def test_registration_with_odd_grant_types_is_refused(client: httpx.AsyncClient) -> None:
    for grants in (["authorization_code", {}], ["authorization_code", ["x"]], "authorization_code"):
        r = await client.post("/register", json={"redirect_uris": ["https://claude.ai/api/mcp/auth_callback"],
                                                 "grant_types": grants, "token_endpoint_auth_method": "none"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata", grants


async def test_tools_call_with_odd_params_still_answers(client: httpx.AsyncClient, alice: Account) -> None:
    init = await client.post("/mcp", headers=MCP_HEADERS | alice.headers, json={
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
    assert init.status_code == 200
    headers = MCP_HEADERS | alice.headers | {"mcp-session-id": init.headers["mcp-session-id"],
                                             "mcp-protocol-version": "2025-11-25"}
    for params in ("x", [1], None):
        r = await client.post("/mcp", headers=headers, json={"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                                              "params": params})
        assert r.status_code < 500


async def test_times_beyond_the_calendar_are_refused(runtime: Runtime, client: httpx.AsyncClient,
                                                      alice: Account) -> None:
    for bad in (1e20, -5.0):
        with pytest.raises(InvalidInput, match="between 1970 and 9999"):
            await runtime.memory.import_records(alice.user_id, [{"type": "memory", "text": "x", "created_at": bad}])
    await runtime.memory.import_records(alice.user_id, [{"type": "memory", "text": "fine", "created_at": 1.7e9}])
    page = await client.get("/api/v1/memories", headers=alice.headers)
    assert page.status_code == 200 and [m["text"] for m in page.json()["memories"]] == ["fine"]
    r = await client.get("/api/v1/search", params={"q": "fine", "since": "-5"}, headers=alice.headers)
    assert r.status_code < 500


def test_cache_control_with_a_huge_max_age_is_clamped() -> None:
    assert _max_age("max-age=" + "9" * 5000) == _max_age("")  # not a number we believe: the default TTL
    assert _max_age("max-age=" + "9" * 10) >= _max_age("max-age=60")
