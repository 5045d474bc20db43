"""Start a real ``jean-memory serve`` process on a free loopback port, and stop it (helpers for e2e tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("jean-memory"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    env: dict[str, str]
    log: Path

    def cli(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([CLI, *args], env=self.env, input=input, capture_output=True, timeout=120)


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_env(data_dir: Path, port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEAN_MEMORY_")}
    env.update({
        "JEAN_MEMORY_DATA_DIR": str(data_dir), "JEAN_MEMORY_HOST": "127.0.0.1", "JEAN_MEMORY_PORT": str(port),
        "JEAN_MEMORY_PUBLIC_URL": f"http://127.0.0.1:{port}", "HF_HUB_OFFLINE": "1",
    })
    env.update(extra or {})
    return env


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/status", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling a process we started; not a test-timing sleep
    raise TimeoutError(f"server at {url} not ready after {timeout}s")


@contextmanager
def running_server(data_dir: Path, port: int | None = None, extra: Mapping[str, str] | None = None) -> Iterator[Server]:
    port = port or free_port()
    env = server_env(data_dir, port, extra)
    log = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen([CLI, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", env, log)
    try:
        wait_ready(server.url, process)
        yield server
    finally:
        stop(process, timeout=15)
