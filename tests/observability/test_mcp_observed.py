from __future__ import annotations

import httpx
import pytest

from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.mcp_server.test_transport import ACCEPT, call, open_session

from .conftest import CapturedLog

pytestmark = pytest.mark.anyio


async def test_tool_calls_are_logged_and_measured_without_their_arguments(
        client: httpx.AsyncClient, alice: Account, runtime: Runtime, captured_log: CapturedLog) -> None:
    sid = await open_session(client, alice)
    headers = {**ACCEPT, **alice.headers, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18"}
    secret_text = "my locker code at the gym is 4471"
    r = await client.post("/mcp", json=call("add_memories", {"text": secret_text}), headers=headers)
    assert r.status_code == 200 and "isError\":true" not in r.text

    tool_lines = [line for line in captured_log.requests() if line.get("tool")]
    assert [(line["tool"], line["route"], line["status"]) for line in tool_lines] == [("add_memories", "/mcp", 200)]
    assert tool_lines[0]["user_id"] == alice.user_id and tool_lines[0]["via"] == "api_key"
    assert secret_text not in captured_log.text and alice.api_key not in captured_log.text
    registry = runtime.extras["metrics"].registry
    assert registry.get_sample_value("jean_memory_tool_duration_seconds_count", {"tool": "add_memories"}) == 1
