"""Start and stop a real server process on a free loopback port, and measure its cold start and RSS."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A server process whose stderr (its request log) goes to ``log``: a file, never an unread pipe."""

    def __init__(self, args: list[str], env: dict[str, str], port: int, ready_path: str, log: Path) -> None:
        self.port = port
        self.log = log
        started = time.perf_counter()
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=out,
                                         cwd=Path(__file__).resolve().parent.parent)
        self.cold_start_s = self._wait_ready(ready_path, started)

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_lines(self, since: int) -> list[str]:
        with open(self.log, "rb") as f:
            f.seek(since)
            return f.read().decode("utf-8", "replace").splitlines()

    def _wait_ready(self, path: str, started: float, timeout: float = 120.0) -> float:
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                err = self.log.read_text(errors="replace")
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"server not ready after {timeout}s")

    def rss_mib(self) -> float:
        return round(psutil.Process(self.proc.pid).memory_info().rss / 2**20, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def jean_memory(db: Path, port: int, settings: dict[str, str] | None = None) -> Server:
    """The server as deployed by default: INFO level, one JSON log line per request (its cost is measured too);
    ``settings`` adds or overrides ``JEAN_MEMORY_*`` variables."""
    env = {"JEAN_MEMORY_DATABASE_URL": f"sqlite:///{db}", "JEAN_MEMORY_DATA_DIR": str(db.parent / "data"),
           "JEAN_MEMORY_PUBLIC_URL": f"http://127.0.0.1:{port}", "JEAN_MEMORY_LOG_LEVEL": "INFO",
           "JEAN_MEMORY_LOG_FORMAT": "json", **(settings or {})}
    return Server([sys.executable, "-m", "jean_memory.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                  env, port, "/status", db.with_suffix(".log"))


def ceiling(port: int) -> Server:
    return Server([sys.executable, "-m", "uvicorn", "bench.ceiling_app:app", "--host", "127.0.0.1", "--port",
                   str(port), "--log-level", "warning"], {}, port, "/json", Path(__file__).parent / ".work/ceiling.log")
