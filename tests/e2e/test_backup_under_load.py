"""A backup taken while a real server process is writing restores to a database holding every acknowledged write."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import CLI, free_port, running_server, server_env

pytestmark = pytest.mark.e2e


def test_backup_during_write_load_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as server:
        assert server.cli("users", "create", "--email", "b@example.com", "--password", "long enough pw").returncode == 0
        key = server.cli("keys", "create", "--email", "b@example.com").stdout.decode().strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {key}"}
        acked: list[str] = []
        failures: list[str] = []
        lock = threading.Lock()
        warmed_up, stop = threading.Event(), threading.Event()

        def writer(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
                i = 0
                while not stop.is_set():
                    r = c.post("/api/v1/memories", json={"text": f"writer {n} wrote fact {i} about item {i * 7}"})
                    i += 1
                    if r.status_code != 201:
                        failures.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    with lock:
                        acked.append(r.json()["memories"][0]["id"])
                        if len(acked) >= 30:
                            warmed_up.set()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        try:
            assert warmed_up.wait(120), "writers did not get going"
            with lock:
                before = set(acked)
            done = server.cli("backup", str(tmp_path / "snapshot.sqlite3"))
            with lock:
                during = len(acked) - len(before)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        assert done.returncode == 0, done.stderr.decode()
        print(f"acked before backup: {len(before)}, acked while the backup command ran: {during}")
        assert during > 0, "the server was not under write load while the backup ran"
        assert failures == []
        # Restoring into a running server's database is refused.
        refused = server.cli("restore", str(tmp_path / "snapshot.sqlite3"))
        assert refused.returncode == 1 and b"running server" in refused.stderr

    restored_dir = tmp_path / "restored"
    port = free_port()
    restore = subprocess.run([CLI, "restore", str(tmp_path / "snapshot.sqlite3")], env=server_env(restored_dir, port),
                             capture_output=True, timeout=120)
    assert restore.returncode == 0, restore.stderr.decode()
    with running_server(restored_dir, port) as again:
        ids: set[str] = set()
        cursor = None
        with httpx.Client(base_url=again.url, headers=headers, timeout=30) as c:
            while True:
                page = c.get("/api/v1/memories", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
                ids.update(m["id"] for m in page["memories"])
                cursor = page.get("next_cursor")
                if not cursor:
                    break
    assert before <= ids, f"{len(before - ids)} acknowledged writes are missing from the backup"
    assert ids <= set(acked)  # nothing in the backup that the server never acknowledged
