"""@modelcontextprotocol/inspector's CLI lists (and calls) our tools against the running server with a bearer header;
and the stdio transport answers the real SDK client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server, running_server
from tests.e2e.test_conformance import NODE, NODE_DIR, api_key

pytestmark = pytest.mark.e2e

INSPECTOR = NODE_DIR / "node_modules" / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / \
    "index.js"
TOOLS = {"jean_memory", "add_memories", "search_memory", "list_memories", "update_memory", "delete_memories",
         "ask_memory", "deep_memory_query", "store_document", "get_document", "search", "fetch", "resolve_flag",
         "list_spaces"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("inspector") / "data") as srv:
        yield srv


def inspector(server: Server, key: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PATH": f"{NODE.parent}:{os.environ['PATH']}", "HOME": str(tmp),
           "MCP_CATALOG_PATH": str(tmp / "mcp.json")}
    return subprocess.run([str(NODE), str(INSPECTOR), "--cli", f"{server.url}/mcp", "--transport", "http",
                           "--header", f"Authorization: Bearer {key}", *args],
                          capture_output=True, timeout=90, env=env, cwd=NODE_DIR)


def test_inspector_lists_and_calls_tools(server: Server, tmp_path: Path) -> None:
    key = api_key(server, "inspector@example.com")
    listed = inspector(server, key, tmp_path, "--method", "tools/list")
    assert listed.returncode == 0, listed.stderr.decode()[-2000:]
    tools = json.loads(listed.stdout)["tools"]
    assert {t["name"] for t in tools} == TOOLS
    saved = inspector(server, key, tmp_path, "--method", "tools/call", "--tool-name", "add_memories",
                      "--tool-arg", "text=I keep a sourdough starter called Gerald")
    assert saved.returncode == 0, saved.stderr.decode()[-2000:]
    [memory] = json.loads(saved.stdout)["structuredContent"]["saved"]
    assert memory["text"] == "I keep a sourdough starter called Gerald"
    denied = inspector(server, "jm_not-a-key", tmp_path, "--method", "tools/list")
    assert denied.returncode != 0


@pytest.mark.anyio
async def test_stdio_transport(server: Server) -> None:
    from mcp.client.client import Client
    from mcp.client.stdio import StdioServerParameters

    made = server.cli("users", "create", "--email", "stdio@example.com", "--password", "correct horse b")
    assert made.returncode == 0
    params = StdioServerParameters(command=str(Path(sys.executable).with_name("jean-memory")),
                                   args=["stdio", "--email", "stdio@example.com"], env=server.env)
    async with Client(params, mode="legacy") as client:
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        result = await client.call_tool("jean_memory", {"user_message": "I'm Ada and I collect fountain pens.",
                                                        "is_new_conversation": True})
        assert not result.is_error
        assert [m["text"] for m in (result.structured_content or {})["saved"]] == ["I'm Ada", "I collect fountain pens"]
        assert (result.structured_content or {})["saved"][0]["source"] == "stdio"
