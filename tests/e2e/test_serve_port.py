"""``serve`` without JEAN_MEMORY_PUBLIC_URL advertises the port it really listens on, including ``--port 0``."""

from __future__ import annotations

import queue
import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import CLI, free_port, server_env, stop, wait_ready

pytestmark = pytest.mark.e2e


def _start(tmp_path: Path, *args: str, env_port: int = 8765) -> tuple[subprocess.Popen[bytes], str]:
    env = server_env(tmp_path / "data", env_port)
    del env["JEAN_MEMORY_PUBLIC_URL"]
    process = subprocess.Popen([CLI, "serve", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:  # keeps reading so the server never blocks on a full pipe
        assert process.stderr is not None
        for raw in process.stderr:
            lines.put(raw.decode(errors="replace"))
        lines.put("")

    threading.Thread(target=drain, daemon=True).start()
    while line := lines.get(timeout=60):
        if line.startswith("Jean Memory on "):
            return process, line.split()[3]
    stop(process)
    raise AssertionError("the server exited without saying where it listens")


def _advertised(url: str) -> set[str]:
    challenge = httpx.post(f"{url}/mcp", json={}, timeout=30).headers["www-authenticate"]
    auth = httpx.get(f"{url}/.well-known/oauth-authorization-server", timeout=30).json()
    resource = httpx.get(f"{url}/.well-known/oauth-protected-resource/mcp", timeout=30).json()
    status = httpx.get(f"{url}/status", timeout=30).json()
    assert f'resource_metadata="{url}/.well-known/oauth-protected-resource/mcp"' in challenge
    assert f"{url}/mcp" in httpx.get(f"{url}/", timeout=30).text
    return {auth["issuer"], resource["authorization_servers"][0], resource["resource"].removesuffix("/mcp"),
            status["public_url"]}


@pytest.mark.parametrize("how", ["port 0", "--port", "JEAN_MEMORY_PORT"])
def test_public_url_defaults_to_the_bound_address(tmp_path: Path, how: str) -> None:
    port = free_port()
    args, env_port = {"port 0": (("--port", "0"), 8765), "--port": (("--port", str(port)), 8765),
                      "JEAN_MEMORY_PORT": ((), port)}[how]
    process, url = _start(tmp_path, *args, env_port=env_port)
    try:
        wait_ready(url, process)
        assert url.startswith("http://127.0.0.1:") and url != "http://127.0.0.1:0"
        if how != "port 0":
            assert url == f"http://127.0.0.1:{port}"
        assert _advertised(url) == {url}
    finally:
        stop(process)
