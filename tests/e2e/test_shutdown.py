"""SIGTERM with an MCP SSE stream open: the stream ends cleanly and the process shuts down promptly and completely."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import running_server

pytestmark = pytest.mark.e2e
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_sigterm_closes_sse_streams_and_exits_cleanly(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", extra={"JEAN_MEMORY_SHUTDOWN_TIMEOUT": "30"}) as server:
        assert server.cli("users", "create", "--email", "s@example.com", "--password", "long enough pw").returncode == 0
        key = server.cli("keys", "create", "--email", "s@example.com").stdout.decode().strip().splitlines()[-1]
        auth = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, timeout=httpx.Timeout(60, connect=5)) as c:
            init = c.post("/mcp", json=INIT, headers=ACCEPT | auth)
            assert init.status_code == 200, init.text
            headers = auth | {"mcp-session-id": init.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18",
                              "Accept": "text/event-stream"}
            with c.stream("GET", "/mcp", headers=headers) as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                started = time.monotonic()
                server.process.send_signal(signal.SIGTERM)
                rest = b"".join(stream.iter_bytes())  # returns only when the server ends the stream
                took = time.monotonic() - started
            assert isinstance(rest, bytes)
        # uvicorn re-raises the SIGTERM it handled once shutdown is complete: death by SIGTERM is its clean exit.
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert took < 10, f"the SSE stream stayed open {took:.1f}s after SIGTERM (timeout is 30s)"
    log = server.log.read_text()
    assert "Application shutdown complete" in log and "timeout graceful shutdown exceeded" not in log
