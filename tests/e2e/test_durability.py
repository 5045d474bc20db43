"""An acknowledged write survives SIGKILL of the server process (real process, real SQLite file)."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import free_port, running_server

pytestmark = pytest.mark.e2e


def test_acknowledged_memories_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    with running_server(data, port) as server:
        assert server.cli("users", "create", "--email", "d@example.com", "--password", "long enough pw").returncode == 0
        key = server.cli("keys", "create", "--email", "d@example.com").stdout.decode().strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {key}"}
        acked = []
        for i in range(20):
            r = httpx.post(f"{server.url}/api/v1/memories", json={"text": f"durable fact number {i}"},
                           headers=headers, timeout=30)
            assert r.status_code == 201
            acked.append(r.json()["memories"][0]["id"])
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    with running_server(data, port) as again:
        headers = {"Authorization": f"Bearer {key}"}
        page = httpx.get(f"{again.url}/api/v1/memories", params={"limit": 100}, headers=headers, timeout=30).json()
        assert {m["id"] for m in page["memories"]} == set(acked)
        hits = httpx.get(f"{again.url}/api/v1/search", params={"q": "durable fact number 7"}, headers=headers,
                         timeout=30).json()
        assert hits[0]["memory"]["text"] == "durable fact number 7"
